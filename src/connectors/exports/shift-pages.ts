/**
 * The published shifts of a span (drafts too when asked), in the order every run writes them: by start,
 * assignment, call order and id. They stream from the schedule store a page at a time
 * (ScheduleStore.shiftsByStart), so a file of a month of a large system's schedule holds one page of
 * shifts in memory, and each shift is read once. A shift that began before the span and is still on
 * comes first, at its own start.
 */
import type { ScheduleStore, Shift } from '../../store/schedule-port.ts';

export function publishedShifts(
  schedules: ScheduleStore,
  from: Date,
  to: Date,
  wanted?: (assignmentId: string) => boolean,
  drafts = false,
): AsyncIterable<Shift> {
  const shifts = schedules.shiftsByStart(from, to, { drafts });
  return wanted ? only(shifts, wanted) : shifts;
}

async function* only(shifts: AsyncIterable<Shift>, wanted: (assignmentId: string) => boolean) {
  for await (const s of shifts) if (wanted(s.assignmentId)) yield s;
}
