/**
 * The thread that makes an export's file (started by file-on-thread.ts): it reads the span's shifts on a
 * connection of its own, turns them into records and the layout's CSV, and hands the file over 64 KiB at a
 * time, moving each chunk's memory to the export's thread instead of copying it. It waits while `ahead`
 * chunks are not yet taken, so a file of any size holds a few chunks here, as on one thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Directory } from '../../directory/directory.ts';
import type { Assignment, ScheduleStore, Shift } from '../../store/schedule-port.ts';
import { CompiledLayout } from '../files/layout.ts';
import type { ExportRun } from './export-kind.ts';
import type { FileThreadData, FromFileThread, ToFileThread } from './file-thread-messages.ts';
import { kindOnThread } from './thread-kinds.ts';

const port = parentPort!;
const data = workerData as FileThreadData;

interface ShiftReader {
  shiftsByStart(source: string, from: Date, to: Date, options?: { drafts?: boolean }): AsyncIterable<Shift>;
}

async function makeFile(): Promise<void> {
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

  let untaken = 0;
  let taken: (() => void) | undefined;
  const onTaken = (m: ToFileThread) => {
    if (m.kind !== 'taken') return;
    untaken--;
    taken?.();
  };
  port.on('message', onTaken);
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
  port.off('message', onTaken);
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

// Once the file is made nothing keeps the thread alive, and it ends after its last message is delivered.
makeFile().catch((e: Error) => {
  port.removeAllListeners('message');
  post({ kind: 'failed', reason: e.message });
});
