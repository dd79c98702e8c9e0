import { describe, expect, it } from 'vitest';
import { expandRotation, type Rotation } from './rotation.ts';

const zone = 'America/New_York';
const H = 3_600_000;

const daily: Rotation = {
  assignmentId: 'hospitalist-oncall',
  people: ['p-a', 'p-b', 'p-c'],
  shiftHours: 24,
  handoffMinutes: 7 * 60,
  callOrder: 1,
  daysBefore: 3,
  daysAfter: 3,
};

const startingAt = (shifts: ReturnType<typeof expandRotation>, iso: string) =>
  shifts.find((s) => s.start.toISOString() === iso);

describe('expandRotation', () => {
  it('hands off at 07:00 local every day, so the spring-forward day lasts 23 hours', () => {
    const shifts = expandRotation(daily, zone, new Date('2026-03-08T17:00:00Z'));
    expect(shifts).toHaveLength(7);
    // 2026-03-07 07:00 EST = 12:00Z; 2026-03-08 07:00 EDT = 11:00Z.
    const change = startingAt(shifts, '2026-03-07T12:00:00.000Z');
    expect(change?.end.toISOString()).toBe('2026-03-08T11:00:00.000Z');
    expect((change!.end.getTime() - change!.start.getTime()) / H).toBe(23);
    const after = startingAt(shifts, '2026-03-08T11:00:00.000Z');
    expect((after!.end.getTime() - after!.start.getTime()) / H).toBe(24);
  });

  it('makes the fall-back day 25 hours long', () => {
    const shifts = expandRotation(daily, zone, new Date('2026-11-01T17:00:00Z'));
    // 2026-10-31 07:00 EDT = 11:00Z; 2026-11-01 07:00 EST = 12:00Z.
    const change = startingAt(shifts, '2026-10-31T11:00:00.000Z');
    expect(change?.end.toISOString()).toBe('2026-11-01T12:00:00.000Z');
    expect((change!.end.getTime() - change!.start.getTime()) / H).toBe(25);
  });

  it('leaves no gap and no overlap between consecutive shifts, and people take turns in order', () => {
    const shifts = expandRotation(daily, zone, new Date('2026-11-01T17:00:00Z'));
    for (let i = 1; i < shifts.length; i++) {
      expect(shifts[i].start.getTime()).toBe(shifts[i - 1].end.getTime());
      const prev = daily.people.indexOf(shifts[i - 1].personId);
      expect(shifts[i].personId).toBe(daily.people[(prev + 1) % 3]);
    }
  });

  it('gives the same slot the same person and id whatever day it is generated on', () => {
    const today = expandRotation(daily, zone, new Date('2026-11-22T15:00:00Z'));
    const tomorrow = expandRotation(daily, zone, new Date('2026-11-23T15:00:00Z'));
    const common = today.filter((s) => tomorrow.some((t) => t.id === s.id));
    expect(common.length).toBe(6);
    for (const s of common) expect(tomorrow.find((t) => t.id === s.id)).toEqual(s);
  });

  it('splits a day into 12-hour day and night shifts whose night is 11 or 13 hours across DST', () => {
    const twelve = { ...daily, shiftHours: 12, daysBefore: 1, daysAfter: 1 };
    const spring = expandRotation(twelve, zone, new Date('2026-03-08T17:00:00Z'));
    // Night of 7 March: 19:00 EST (00:00Z on the 8th) to 07:00 EDT (11:00Z): 11 real hours.
    const shortNight = startingAt(spring, '2026-03-08T00:00:00.000Z');
    expect(shortNight?.end.toISOString()).toBe('2026-03-08T11:00:00.000Z');
    const fall = expandRotation(twelve, zone, new Date('2026-11-01T17:00:00Z'));
    // Night of 31 October: 19:00 EDT (23:00Z) to 07:00 EST (12:00Z): 13 real hours.
    const longNight = startingAt(fall, '2026-10-31T23:00:00.000Z');
    expect(longNight?.end.toISOString()).toBe('2026-11-01T12:00:00.000Z');
    expect(fall).toHaveLength(6);
  });

  it('skips an hourly slot that falls inside the hour the clocks skip', () => {
    const hourly = { ...daily, shiftHours: 1, handoffMinutes: 0, daysBefore: 0, daysAfter: 0 };
    const spring = expandRotation(hourly, zone, new Date('2026-03-08T17:00:00Z'));
    expect(spring).toHaveLength(23);
    const fall = expandRotation(hourly, zone, new Date('2026-11-01T17:00:00Z'));
    const total = fall.reduce((sum, s) => sum + (s.end.getTime() - s.start.getTime()), 0);
    expect(total / H).toBe(25);
  });

  it('refuses a shift length that does not divide the day', () => {
    expect(() => expandRotation({ ...daily, shiftHours: 10 }, zone, new Date())).toThrow(/must divide 24/);
  });
});
