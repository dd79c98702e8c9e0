import type { ScheduleChange, ScheduleChangeKind, Shift } from '../schedule-port.ts';

/** Change-feed rows as both stores keep them (migration 008), and how they read back. */
export interface ChangeRow {
  seq: number;
  at: number;
  source: string;
  shift_id: string;
  assignment_id: string;
  kinds: string;
  shift_before: string | null;
  shift_after: string | null;
  actor: string;
}

export interface ShiftJson {
  id: string;
  assignmentId: string;
  personId: string;
  start: string;
  end: string;
  callOrder: number;
  notes: string;
  published: boolean;
  source: string;
  sourceKey?: string;
}

export function shiftJson(s: Shift): ShiftJson {
  return { ...s, start: s.start.toISOString(), end: s.end.toISOString() };
}

export function fromJson(text: string | null): Shift | null {
  if (text === null) return null;
  const j = JSON.parse(text) as ShiftJson;
  return { ...j, start: new Date(j.start), end: new Date(j.end) };
}

export function toChange(r: ChangeRow): ScheduleChange {
  return {
    seq: r.seq,
    at: new Date(r.at),
    source: r.source,
    shiftId: r.shift_id,
    assignmentId: r.assignment_id,
    kinds: r.kinds.split(',') as ScheduleChangeKind[],
    before: fromJson(r.shift_before),
    after: fromJson(r.shift_after),
    actor: r.actor,
  };
}
