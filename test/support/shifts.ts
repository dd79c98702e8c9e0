import type { Shift } from '../../src/store/schedule-port.ts';

/** An hour in milliseconds. */
export const H = 3_600_000;

/** Noon UTC on the day the schedule tests start from. */
export const t0 = Date.parse('2026-11-22T12:00:00Z');

/** A published 12-hour hospitalist on-call shift for p-ahmed from t0, from Amion; `over` changes any field. */
export function shift(over: Partial<Shift> & { id: string }): Shift {
  return {
    assignmentId: 'hospitalist-oncall',
    personId: 'p-ahmed',
    start: new Date(t0),
    end: new Date(t0 + 12 * H),
    callOrder: 1,
    notes: '',
    published: true,
    source: 'amion',
    ...over,
  };
}

/** The 12-hour shift `amion:<d>` of `person`, starting d days after t0. */
export function day(d: number, person: string, over: Partial<Shift> = {}): Shift {
  return shift({
    id: `amion:${d}`,
    personId: person,
    start: new Date(t0 + d * 24 * H),
    end: new Date(t0 + d * 24 * H + 12 * H),
    ...over,
  });
}
