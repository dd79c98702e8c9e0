import type { Shift } from '../store/schedule-port.ts';
import { atLocalTime, localDay } from './local-time.ts';

/**
 * A repeating rotation: the listed people take turns, one shift each, handing off at fixed local times.
 * The demo uses it so that `npm start` always has someone on call now, whatever today is.
 */
export interface Rotation {
  assignmentId: string;
  /** Person (or placeholder) ids, in the order they take turns. */
  people: string[];
  /** Length of one shift on an ordinary day; must divide 24 (a 24-hour shift is 23 or 25 h across DST). */
  shiftHours: number;
  /** First handoff of the day, in minutes after local midnight (07:00 = 420). */
  handoffMinutes: number;
  callOrder: number;
  /** Generate this many local days before today... */
  daysBefore: number;
  /** ...and this many after. */
  daysAfter: number;
  notes?: string;
}

/**
 * Expands `rotation` into shifts around `now`, in the site zone. Handoffs are wall-clock times: with a
 * 07:00 handoff every shift starts at 07:00 local, so on the spring-forward day a 24-hour shift lasts 23
 * real hours and on the fall-back day 25. Who works a shift depends only on the local date and slot, so
 * regenerating tomorrow (or after a restart) gives each past and future slot the same person and id.
 */
export function expandRotation(
  rotation: Rotation,
  zone: string,
  now: Date,
  source = 'demo',
  /** Tells two rotations of the same assignment and call order apart in shift ids. */
  rotationIndex = 0,
): Shift[] {
  const { people, shiftHours, handoffMinutes, callOrder } = rotation;
  if (people.length === 0) return [];
  if (!(shiftHours > 0 && shiftHours <= 24 && Number.isInteger(24 / shiftHours))) {
    throw new RangeError(`shiftHours ${shiftHours} must divide 24`);
  }
  const slotsPerDay = 24 / shiftHours;
  const slotMinutes = shiftHours * 60;
  const shifts: Shift[] = [];
  for (let offset = -rotation.daysBefore; offset <= rotation.daysAfter; offset++) {
    const day = localDay(now, zone, offset);
    for (let slot = 0; slot < slotsPerDay; slot++) {
      const start = atLocalTime(day, handoffMinutes + slot * slotMinutes, zone);
      const end = atLocalTime(day, handoffMinutes + (slot + 1) * slotMinutes, zone);
      // A one-hour slot inside the skipped spring-forward hour has no length: nobody works it.
      if (end.getTime() <= start.getTime()) continue;
      const turn = (((day.ordinal * slotsPerDay + slot) % people.length) + people.length) % people.length;
      shifts.push({
        id: `${source}:${rotationIndex}:${rotation.assignmentId}:${callOrder}:${start.toISOString()}`,
        assignmentId: rotation.assignmentId,
        personId: people[turn],
        start,
        end,
        callOrder,
        notes: rotation.notes ?? '',
        published: true,
        source,
      });
    }
  }
  return shifts;
}
