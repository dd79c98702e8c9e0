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
 * refused host key, a full disk) or a stop of the sender ends the thread. A thread whose file was complete
 * is kept for the next file, and a server starts one before its first file (prepareFileThread).
 */
import { Worker } from 'node:worker_threads';
import { plainThreadModule } from '../../kit/thread-module.ts';
import type { ShiftReaderForThread } from '../../store/schedule-port.ts';
import type { FileLayout } from '../files/layout.ts';
import type { ExportRun, ExportSpan } from './export-kind.ts';
import type { FileThreadData, FromFileThread, RunSnapshot, ToFileThread } from './file-thread-messages.ts';

/** Chunks made ahead of the upload (on top of the target's own read-ahead): 512 KiB. */
const AHEAD = 8;

/**
 * The thread's young generation, in MB: a file's rows are short-lived garbage, and V8's default let the
 * thread grow 15-25 MB more (bench/exports, the file made alone at 100,000 shifts: peak RSS 179-190 MB
 * against 202-209, the same CPU; 4 MB cost CPU).
 */
const THREAD_YOUNG_MB = 8;

const bootUrl = new URL('../../kit/thread-boot.mjs', import.meta.url);
// The compiled build (npm run build) runs .js files; a clone's .ts file is bundled into plain JavaScript
// (plainThreadModule), so the thread runs without tsx's loader.
const entryUrl = new URL(
  import.meta.url.endsWith('.ts') ? './file-thread.ts' : './file-thread.js',
  import.meta.url,
).href;

/**
 * The thread for the next file: kept after a file, or started ahead of the first one (prepareFileThread).
 * Starting one (a Node isolate and the modules) costs 40-50 ms of CPU; under tsx's loader it cost 250-290.
 * It does not keep the process alive. It resolves to undefined when it failed before it was ready.
 */
let kept: Promise<Worker | undefined> | undefined;
/** Threads that have ended: a kept one that ended between files is not used. */
const ended = new WeakSet<Worker>();

/**
 * Starts the thread of the next file now, while the server is idle, so that the first file finds it ready
 * with its modules and the reader's loaded. Resolves when it is ready, or when it failed: the next file
 * then starts a thread of its own and fails with the reason if that one fails too.
 */
export async function prepareFileThread(reader: ShiftReaderForThread): Promise<void> {
  kept ??= readyThread(reader);
  await kept;
}

/** Ends the thread kept for the next file (the exports stop; a file being made is stopped by its signal). */
export async function endFileThread(): Promise<void> {
  const thread = kept;
  kept = undefined;
  await (await thread)?.terminate();
}

async function startThread(): Promise<Worker> {
  const started = new Worker(bootUrl, {
    workerData: { entry: await plainThreadModule(entryUrl) },
    // A process started with `--import tsx` would load tsx into the thread too: it runs plain JavaScript.
    execArgv: [],
    resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_MB },
  });
  // A thread that fails or ends between files is simply not used again (a file's own listeners report
  // what happens while it makes one).
  started.on('error', () => {});
  started.once('exit', () => ended.add(started));
  started.unref();
  return started;
}

async function readyThread(reader: ShiftReaderForThread): Promise<Worker | undefined> {
  const thread = await startThread();
  const module = await plainThreadModule(reader.module);
  const ready = await new Promise<boolean>((resolve) => {
    thread.once('message', (m: FromFileThread) => resolve(m.kind === 'ready'));
    thread.once('exit', () => resolve(false));
    thread.postMessage({ kind: 'prepare', module } satisfies ToFileThread);
  });
  if (ready) return thread;
  await thread.terminate();
  return undefined;
}

async function threadForFile(): Promise<Worker> {
  const ready = kept;
  kept = undefined;
  const thread = await ready;
  const usable = thread && !ended.has(thread) ? thread : await startThread();
  usable.ref();
  return usable;
}

function keep(thread: Worker): void {
  if (kept) {
    void thread.terminate();
    return;
  }
  thread.unref();
  kept = Promise.resolve(thread);
}

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
  const file: FileThreadData = {
    kind,
    reader: { ...reader, module: await plainThreadModule(reader.module) },
    run: await snapshotOf(run),
    layout,
    span,
    ahead: AHEAD,
  };
  signal?.throwIfAborted();
  const thread = await threadForFile();
  const arrived: Buffer[] = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const fail = (reason: string) => {
    failure ??= new Error(`the thread making the file ${reason}`);
    wake?.();
  };
  const onMessage = (m: FromFileThread) => {
    if (m.kind === 'chunk') arrived.push(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
    else if (m.kind === 'done') {
      counter.rows = m.rows;
      for (const [subject, reason] of m.skips) run.skip(subject, reason);
      done = true;
    } else if (m.kind === 'failed') fail(`failed: ${m.reason}`);
    wake?.();
  };
  const onError = (e: Error) => fail(`failed: ${e.message}`);
  const onExit = (code: number) => fail(`ended (exit code ${code}) before the file was complete`);
  const stop = () => fail('was stopped: the export is stopping');
  thread.on('message', onMessage);
  thread.on('error', onError);
  thread.on('exit', onExit);
  signal?.addEventListener('abort', stop, { once: true });
  thread.postMessage({ kind: 'file', file } satisfies ToFileThread);
  try {
    for (;;) {
      // A failed or stopped file ends at once, whatever has already arrived of it.
      if (failure) throw failure;
      const chunk = arrived.shift();
      if (chunk) {
        thread.postMessage({ kind: 'taken' } satisfies ToFileThread);
        yield chunk;
      } else if (done) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    thread.off('message', onMessage);
    thread.off('error', onError);
    thread.off('exit', onExit);
    // A thread whose file was complete makes the next one; one that failed, or whose file the upload
    // stopped taking (its own error, a stop), is ended.
    if (done && !failure) keep(thread);
    else await thread.terminate();
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
