/**
 * Writes one export's file to its target: the whole span every time, or (for an export with deltas) the
 * whole span once per period and afterwards only the rows that were added, changed or deleted since the
 * last file the receiver got. The rows are hashed as they stream out and staged in the store; once the
 * target has the complete file they become what the receiver holds (ExportStateStore.commitFile), so a
 * failed attempt is simply computed again, from the same base, on the next try.
 */
import { createHash } from 'node:crypto';
import type { ExportedRow, ExportStateStore } from '../../store/export-port.ts';
import type { FileTarget } from '../files/file-target.ts';
import type { CompiledLayout, ExportRecord } from '../files/layout.ts';
import type { ExportRun, ExportSpan, FileExportKind, KeyedRecord } from './export-kind.ts';
import { fileMadeOnThread } from './file-on-thread.ts';
import { kindOnThread } from './thread-kinds.ts';

/** What the delta's `action` field says for each row. */
export interface ActionWords {
  add: string;
  change: string;
  delete: string;
}

export const defaultActions: ActionWords = { add: 'A', change: 'U', delete: 'D' };

export interface WrittenFile {
  name: string;
  location: string;
  mode: 'full' | 'delta';
  period: string;
  rows: number;
  bytes: number;
}

const STAGE_BATCH = 500;

export async function writeExportFile<O>(
  kind: FileExportKind<O>,
  run: ExportRun<O>,
  layout: CompiledLayout,
  target: FileTarget,
  state: ExportStateStore,
  actions: ActionWords = defaultActions,
  signal?: AbortSignal,
): Promise<WrittenFile> {
  const span = kind.span(run);
  const name = layout.fileName(run.at, run.connectorId);
  const counter = { rows: 0 };
  if (kind.writeFiles) {
    const files = await kind.writeFiles(run, span, layout, target);
    for (const f of files) {
      await state.commitFile({
        connectorId: run.connectorId,
        name: f.name,
        period: span.period,
        mode: 'full',
        rows: f.rows,
        bytes: f.bytes,
        deliveredAt: run.at,
      });
    }
    // The files are one schedule in several forms (the backup as CSV and XLSX): its rows counted once.
    const rows = files[0]?.rows ?? 0;
    const bytes = files.reduce((n, f) => n + f.bytes, 0);
    return {
      name: files.map((f) => f.name).join(', '),
      location: files.map((f) => f.location).join(', '),
      mode: 'full',
      period: span.period,
      rows,
      bytes,
    };
  }
  if (!kind.deltas) {
    // On a thread of its own when the store lets another thread read it (file-on-thread.ts), else here.
    const reader = kindOnThread(kind.kind) ? run.schedules.shiftReaderForThread?.() : undefined;
    const body = reader
      ? fileMadeOnThread(kind.kind, run, span, layout.layout, reader, counter, signal)
      : layout.chunksOf(kind.records(run, span), counted(counter));
    const delivered = await target.put(name, body);
    const file = {
      name,
      location: delivered.location,
      mode: 'full' as const,
      period: span.period,
      rows: counter.rows,
      bytes: delivered.bytes,
    };
    await state.commitFile({ connectorId: run.connectorId, ...file, deliveredAt: run.at });
    return file;
  }
  const last = await state.lastFile(run.connectorId);
  const mode = !last || last.period !== span.period ? 'full' : 'delta';
  const held = mode === 'full' ? new Map<string, string>() : await state.heldHashes(run.connectorId);
  await state.clearStaged(run.connectorId);
  const rows = deltaRows(kind, run, span, held, state, actions, layout);
  const delivered = await target.put(name, layout.chunksOf(rows, counted(counter)));
  const file = {
    name,
    location: delivered.location,
    mode,
    period: span.period,
    rows: counter.rows,
    bytes: delivered.bytes,
  } as const;
  await state.commitFile({ connectorId: run.connectorId, ...file, deliveredAt: run.at });
  return file;
}

/** A row's record, counted as the file takes it (no generator of its own: one less hand-off per row). */
const counted =
  (counter: { rows: number }) =>
  (r: KeyedRecord): ExportRecord => {
    counter.rows++;
    return r.record;
  };

/**
 * The rows of a delta (every row, marked added, for a full file): current rows whose written fields differ
 * from the held ones (compared by a hash of the fields as the layout writes them), then held rows no
 * longer there. A held row that left only because the span moved on (it starts before the span) is
 * forgotten without a deletion line: the receiver keeps its past.
 */
async function* deltaRows<O>(
  kind: FileExportKind<O>,
  run: ExportRun<O>,
  span: ExportSpan,
  held: Map<string, string>,
  state: ExportStateStore,
  actions: ActionWords,
  layout: CompiledLayout,
): AsyncGenerator<KeyedRecord> {
  let batch: ExportedRow[] = [];
  for await (const { key, record } of kind.records(run, span)) {
    const text = JSON.stringify(record);
    // What the receiver sees: a change to a field the layout does not write (a name, notes) is no change.
    const hash = createHash('sha1').update(layout.fields(record).join('\u0000')).digest('base64');
    batch.push({ key, hash, record: text });
    if (batch.length >= STAGE_BATCH) {
      await state.stage(run.connectorId, batch);
      batch = [];
    }
    const before = held.get(key);
    held.delete(key);
    if (before === hash) continue;
    yield { key, record: { ...record, action: before === undefined ? actions.add : actions.change } };
  }
  if (batch.length > 0) await state.stage(run.connectorId, batch);
  const gone = [...held.keys()].sort();
  for (let i = 0; i < gone.length; i += STAGE_BATCH) {
    for (const row of await state.heldRows(run.connectorId, gone.slice(i, i + STAGE_BATCH))) {
      const record = revive(JSON.parse(row.record) as Record<string, unknown>, kind.dateFields);
      const start = record.start;
      if (start instanceof Date && start < span.from) continue;
      yield { key: row.key, record: { ...record, action: actions.delete } };
    }
  }
}

function revive(record: Record<string, unknown>, dateFields: readonly string[]): ExportRecord {
  const out: Record<string, ExportRecord[string]> = {};
  for (const [k, v] of Object.entries(record)) {
    out[k] = dateFields.includes(k) && typeof v === 'string' ? new Date(v) : (v as ExportRecord[string]);
  }
  return out;
}
