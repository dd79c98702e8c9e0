/**
 * An export's file made on a thread of its own (file-thread.ts) while this thread uploads it. Reading the
 * shifts and writing the CSV took about as much CPU as the bare upload's whole time (bench/exports), and
 * ssh2 encrypts on the thread that sends; on one thread they take turns, on two they overlap. The thread
 * reads the store on a connection of its own, so only a store that allows one offers it
 * (ScheduleStore.shiftReaderForThread); the others make the file here, as before.
 *
 * The file arrives as 64 KiB chunks whose memory is moved, not copied; each is acknowledged as the upload
 * takes it, and the thread stops making more while `AHEAD` are unacknowledged, so memory stays flat
 * whatever the schedule's size. A thread that fails or ends early fails the file with the reason (the
 * connector retries it, then dead-letters it, as any failed delivery); a file the upload stops taking (a
 * refused host key, a full disk) or a stop of the sender ends the thread.
 */
import { Worker } from 'node:worker_threads';
import type { ShiftReaderForThread } from '../../store/schedule-port.ts';
import type { FileLayout } from '../files/layout.ts';
import type { ExportRun, ExportSpan } from './export-kind.ts';
import type { FileThreadData, FromFileThread, RunSnapshot } from './file-thread-messages.ts';

/** Chunks made ahead of the upload (on top of the target's own read-ahead): 512 KiB. */
const AHEAD = 8;

const bootUrl = new URL('../../kit/thread-boot.mjs', import.meta.url);
// The compiled build (npm run build) runs .js files; a clone runs the .ts file through tsx.
const entryUrl = new URL(
  import.meta.url.endsWith('.ts') ? './file-thread.ts' : './file-thread.js',
  import.meta.url,
).href;

/** The file as chunks, made on a thread; `counter.rows` is the rows written once the last chunk is taken. */
export async function* fileMadeOnThread<O>(
  kind: string,
  run: ExportRun<O>,
  span: ExportSpan,
  layout: FileLayout,
  reader: ShiftReaderForThread,
  counter: { rows: number },
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const data: FileThreadData = {
    entry: entryUrl,
    kind,
    reader,
    run: await snapshotOf(run),
    layout,
    span,
    ahead: AHEAD,
  };
  signal?.throwIfAborted();
  const worker = new Worker(bootUrl, { workerData: data });
  const arrived: Buffer[] = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const fail = (reason: string) => {
    failure ??= new Error(`the thread making the file ${reason}`);
    wake?.();
  };
  worker.on('message', (m: FromFileThread) => {
    if (m.kind === 'chunk') arrived.push(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
    else if (m.kind === 'done') {
      counter.rows = m.rows;
      for (const [subject, reason] of m.skips) run.skip(subject, reason);
      done = true;
    } else fail(`failed: ${m.reason}`);
    wake?.();
  });
  worker.on('error', (e) => fail(`failed: ${e.message}`));
  worker.on('exit', (code) => {
    if (!done) fail(`ended (exit code ${code}) before the file was complete`);
  });
  const stop = () => fail('was stopped: the export is stopping');
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const chunk = arrived.shift();
      if (chunk) {
        worker.postMessage({ kind: 'taken' });
        yield chunk;
      } else if (failure) throw failure;
      else if (done) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    // Ends the thread when the upload stopped taking the file (its own error, a stop); a no-op once done.
    await worker.terminate();
  }
}

/** The run as data for the thread: the people of the directory and every assignment as it is now. */
async function snapshotOf<O>(run: ExportRun<O>): Promise<RunSnapshot> {
  const assignments = [];
  for (const stored of await run.schedules.listAssignments()) {
    assignments.push(run.assignment(stored.id) ?? stored);
  }
  return {
    connectorId: run.connectorId,
    at: run.at,
    zone: run.zone,
    people: run.directory.people(),
    assignments,
    mapped: run.mapped,
    personId: run.personId,
    window: run.window,
    include: run.include,
    options: run.options,
  };
}
