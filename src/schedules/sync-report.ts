import type { ScheduleChange, Shift } from '../store/schedule-port.ts';
import type { SourceStatusRecord } from '../store/schedule-source-port.ts';
import { formatLocal } from './local-time.ts';
import type { UnmappedSourceRow } from './mapping.ts';
import type { SyncOutcome } from './sync-engine.ts';

const reasonText = {
  nobody: 'matches nobody in the directory',
  'two-people': 'matches two people',
  'unknown-task': 'task maps to no assignment',
};

/**
 * A sync's outcome for a terminal: one line per change, in the site's local time, with people by name.
 *   + hospitalist #1  2026-11-23 07:00 EST to 2026-11-23 19:00 EST  Dr. Ahmed
 *   ~ hospitalist #1  ...  person: Dr. Ahmed -> Dr. Baker
 *   ! line 14: matches nobody in the directory (Unique ID=U404; Name=Hospitalist)
 */
export function formatOutcome(
  o: SyncOutcome & { moreChanges?: number; moreUnmapped?: number },
  zone: string,
  nameOf: (id: string) => string | undefined,
): string {
  const lines = [`${o.sourceId}: ${o.message}`];
  if (o.guard?.hold)
    lines.push(`  held: removes ${o.guard.removes} of ${o.guard.ofTotal} shifts of the next 48 hours`);
  for (const c of o.changes) lines.push(`  ${changeLine(c, zone, nameOf)}`);
  for (const u of o.unmapped) lines.push(`  ${unmappedLine(u, zone)}`);
  const more = [
    o.moreChanges ? `${o.moreChanges} more change(s): GET /api/schedule-changes` : '',
    o.moreUnmapped ? `${o.moreUnmapped} more unmapped row(s): GET /api/sources` : '',
  ].filter(Boolean);
  for (const m of more) lines.push(`  ... ${m}`);
  return `${lines.join('\n')}\n`;
}

export function changeLine(
  c: ScheduleChange,
  zone: string,
  nameOf: (id: string) => string | undefined,
): string {
  const who = (s: Shift) => nameOf(s.personId) ?? s.personId;
  const span = (s: Shift) => `${formatLocal(s.start, zone)} to ${formatLocal(s.end, zone)}`;
  const slot = (s: Shift) => `${s.assignmentId} #${s.callOrder}  ${span(s)}`;
  if (c.before === null && c.after) return `+ ${slot(c.after)}  ${who(c.after)}`;
  if (c.after === null && c.before) return `- ${slot(c.before)}  ${who(c.before)}`;
  const a = c.before as Shift;
  const b = c.after as Shift;
  const parts: string[] = [];
  for (const k of c.kinds) {
    if (k === 'person-changed') parts.push(`person: ${who(a)} -> ${who(b)}`);
    else if (k === 'time-changed') parts.push(`time: ${span(a)} -> ${span(b)}`);
    else if (k === 'call-order-changed') parts.push(`call order: ${a.callOrder} -> ${b.callOrder}`);
    else if (k === 'notes-changed') parts.push('notes changed');
    else parts.push(k);
  }
  return `~ ${slot(b)}  ${who(b)}  ${parts.join('; ')}`;
}

export function unmappedLine(u: UnmappedSourceRow, zone: string): string {
  const fields = (r: Readonly<Record<string, string>>) =>
    Object.entries(r)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  return `! ${u.rowRef ?? `row ${u.rowNo}`}: ${reasonText[u.reason]} (${fields(u.staff)}; ${fields(u.task)}; ${formatLocal(u.start, zone)})`;
}

/** `switchboard sources`: one block per source. */
export function formatStatus(
  s: SourceStatusRecord & { kind: string; enabled: boolean; held?: { reason: string } | null },
  zone: string,
): string {
  const at = (d: Date | null) => (d ? formatLocal(d, zone) : 'never');
  const run = s.lastRun as { status?: string; message?: string } | null;
  const lines = [
    `${s.sourceId} (${s.kind})${s.enabled ? '' : ' — disabled'}`,
    `  last success: ${at(s.lastSuccessAt)}`,
    `  last error:   ${s.lastError ?? 'none'}${s.failingSince ? ` (failing since ${at(s.failingSince)})` : ''}`,
    `  next run:     ${s.nextRunAt ? at(s.nextRunAt) : 'not planned'}`,
    `  held:         ${s.held ? s.held.reason : 'nothing'}`,
    `  last run:     ${run ? `${run.status}: ${run.message}` : 'none'}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** An outcome as the API sent it (dates as strings), back to the engine's shape for printing. */
export function outcomeFromJson(j: {
  source: string;
  status: SyncOutcome['status'];
  message: string;
  counts: SyncOutcome['counts'];
  guard: SyncOutcome['guard'] | null;
  changes: Array<Record<string, unknown>>;
  unmapped: Array<Record<string, unknown>>;
  moreChanges?: number;
  moreUnmapped?: number;
}): SyncOutcome & { moreChanges?: number; moreUnmapped?: number } {
  const shift = (s: unknown): Shift | null => {
    if (!s) return null;
    const x = s as Shift & { start: string; end: string };
    return { ...x, start: new Date(x.start), end: new Date(x.end) };
  };
  return {
    sourceId: j.source,
    status: j.status,
    message: j.message,
    counts: j.counts,
    ...(j.guard ? { guard: j.guard } : {}),
    moreChanges: j.moreChanges ?? 0,
    moreUnmapped: j.moreUnmapped ?? 0,
    changes: j.changes.map((c) => ({
      ...(c as unknown as ScheduleChange),
      at: new Date(c.at as string),
      before: shift(c.before),
      after: shift(c.after),
    })),
    unmapped: j.unmapped.map((u) => ({
      ...(u as unknown as UnmappedSourceRow),
      start: new Date(u.start as string),
      end: new Date(u.end as string),
    })),
  };
}
