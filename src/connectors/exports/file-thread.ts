/**
 * The thread that makes export files (started by file-on-thread.ts), one file at a time, kept between
 * files; a server starts it before the first and has it load the reader's module then. For each file it
 * reads the span's shifts on a connection of its own, turns them into records and the layout's CSV, and
 * hands the file over 64 KiB at a time, moving each chunk's memory to the export's thread instead of
 * copying it. It waits while `ahead` chunks are not yet taken, so a file of any size holds a few chunks
 * here, as on one thread.
 */
import { parentPort } from 'node:worker_threads';
import { Directory } from '../../directory/directory.ts';
import type { Assignment, ScheduleStore, Shift } from '../../store/schedule-port.ts';
import { CompiledLayout } from '../files/layout.ts';
import type { ExportRun } from './export-kind.ts';
import type { FileThreadData, FromFileThread, ToFileThread } from './file-thread-messages.ts';
import { kindOnThread } from './thread-kinds.ts';

const port = parentPort!;

interface ShiftReader {
  shiftsByStart(source: string, from: Date, to: Date, options?: { drafts?: boolean }): AsyncIterable<Shift>;
}

/** Chunks of the file being made that the export's thread has not taken yet. */
let untaken = 0;
let taken: (() => void) | undefined;

port.on('message', (m: ToFileThread) => {
  if (m.kind === 'taken') {
    untaken--;
    taken?.();
  } else if (m.kind === 'prepare') {
    import(m.module).then(
      () => post({ kind: 'ready' }),
      (e: Error) => post({ kind: 'failed', reason: e.message }),
    );
  } else {
    untaken = 0;
    makeFile(m.file).catch((e: Error) => post({ kind: 'failed', reason: e.message }));
  }
});

async function makeFile(data: FileThreadData): Promise<void> {
  const kind = kindOnThread(data.kind);
  if (!kind) throw new Error(`the export ${data.kind} is not made on a thread of its own`);
  const reader = (await import(data.reader.module)) as ShiftReader;
  const snapshot = data.run;
  const assignments = new Map<string, Assignment>(snapshot.assignments.map((a) => [a.id, a]));
  const skips = new Map<string, string>();
  const schedules = {
    shiftsByStart: (from: Date, to: Date, options?: { drafts?: boolean }) =>
      reader.shiftsByStart(data.reader.source, from, to, options),
  } as ScheduleStore;
  const run: ExportRun<unknown> = {
    connectorId: snapshot.connectorId,
    at: snapshot.at,
    zone: snapshot.zone,
    schedules,
    directory: new Directory(snapshot.people),
    assignment: (id) => assignments.get(id),
    mapped: snapshot.mapped,
    personId: snapshot.personId,
    window: snapshot.window,
    include: snapshot.include,
    options: snapshot.options,
    skip: (subject, reason) => skips.set(subject, reason),
  };
  let rows = 0;
  const layout = new CompiledLayout(data.layout);
  const chunks = layout.chunksOf(kind.records(run, data.span), (r) => {
    rows++;
    return r.record;
  });
  for await (const chunk of chunks) {
    post({ kind: 'chunk', bytes: chunk }, movable(chunk));
    untaken++;
    while (untaken >= data.ahead) await new Promise<void>((resolve) => (taken = resolve));
  }
  post({ kind: 'done', rows, skips: [...skips] });
}

/**
 * The chunk's memory when it is the chunk's alone (the CSV writer allocates each chunk for itself); a small
 * Buffer may share Node's pool with others, and is copied instead.
 */
function movable(chunk: Buffer): ArrayBuffer[] {
  const memory = chunk.buffer as ArrayBuffer;
  return memory.byteLength > Buffer.poolSize ? [memory] : [];
}

function post(message: FromFileThread, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}
