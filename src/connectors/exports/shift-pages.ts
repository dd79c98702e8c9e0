/**
 * The published shifts of a span (drafts too when asked), read a day at a time through the schedule store's port, so a file of a
 * month of a large system's schedule never holds more than a day of shifts in memory. A shift that spans
 * several days is yielded once, in the slice its start (or the span's start) falls in; within a slice,
 * shifts come by start, assignment, call order and id, so every run writes the same order.
 */
import type { ScheduleStore, Shift } from '../../store/schedule-port.ts';

const DAY = 86_400_000;

export async function* publishedShifts(
  schedules: ScheduleStore,
  from: Date,
  to: Date,
  wanted?: (assignmentId: string) => boolean,
  drafts = false,
): AsyncGenerator<Shift> {
  for (let a = from.getTime(); a < to.getTime(); a += DAY) {
    const b = Math.min(a + DAY, to.getTime());
    const slice = (await schedules.shiftsOverlapping(new Date(a), new Date(b))).filter(
      (s) =>
        (drafts || s.published) &&
        Math.max(s.start.getTime(), from.getTime()) >= a &&
        Math.max(s.start.getTime(), from.getTime()) < b &&
        (!wanted || wanted(s.assignmentId)),
    );
    slice.sort(
      (x, y) =>
        x.start.getTime() - y.start.getTime() ||
        compare(x.assignmentId, y.assignmentId) ||
        x.callOrder - y.callOrder ||
        compare(x.id, y.id),
    );
    yield* slice;
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
