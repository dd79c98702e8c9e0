/**
 * Whether an object can still be reached from anything the program holds, asked of the garbage collector:
 * a test of what a structure keeps (closures included, which no walk over properties can see), not of time.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Node's `gc`; without `--expose-gc` the flag is set now and `gc` taken from a fresh context, which gets it. */
function fullGc(): () => void {
  const own = (globalThis as { gc?: () => void }).gc;
  if (own) return own;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const gc = fullGc();

/**
 * True when nothing reachable holds `ref`'s target any more. A WeakRef keeps its target alive until the job
 * that created or read it ends, so this waits a turn of the event loop before collecting.
 */
export async function collected(ref: WeakRef<object>): Promise<boolean> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return ref.deref() === undefined;
}
