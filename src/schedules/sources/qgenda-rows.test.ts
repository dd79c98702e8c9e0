import { describe, expect, it } from 'vitest';
import { readQGendaRow, utcInstant } from './qgenda-rows.ts';

const zone = 'America/New_York';
const row = (over: Record<string, unknown> = {}) => ({
  ScheduleKey: 'K1',
  StartDateUTC: '2026-03-08T12:00:00',
  EndDateUTC: '2026-03-09T00:00:00',
  StartDate: '2026-03-08T00:00:00',
  StartTime: '08:00',
  EndDate: '2026-03-08T00:00:00',
  EndTime: '20:00',
  StaffId: 'E1',
  TaskId: 'T1',
  ...over,
});

describe('QGenda rows', () => {
  it('reads UTC stamps in every spelling QGenda uses, and no instant that does not exist', () => {
    const at = Date.UTC(2026, 2, 8, 12, 0, 0);
    expect(utcInstant('2028-02-29T12:00:00')?.toISOString()).toBe('2028-02-29T12:00:00.000Z');
    for (const stamp of [
      '2026-03-08T12:00:00',
      '2026-03-08T12:00:00Z',
      '2026-03-08t12:00:00z',
      ' 2026-03-08T12:00:00 ',
      '2026-03-08T12:00',
      '2026-03-08T12:00:00.000',
      '2026-03-08T12:00:00+00:00',
    ])
      expect(utcInstant(stamp)?.getTime(), stamp).toBe(at);
    for (const bad of [
      '2026-04-31T12:00:00',
      '2026-03-08T24:00:00',
      '2026-03-08T1a:00:00',
      '2026-03-08',
      '',
      7,
    ])
      expect(utcInstant(bad), String(bad)).toBeUndefined();
  });

  it('checks local times in every spelling against the UTC ones, across the spring-forward day', () => {
    expect(readQGendaRow(row(), 0, zone).kind).toBe('shift');
    for (const local of [
      { StartDate: '03/08/2026', EndDate: '3/8/2026' },
      { StartTime: '8:00 AM', EndTime: '8:00 PM' },
      { StartTime: '08:00:00', EndTime: '2026-03-08T20:00:00' },
    ])
      expect(readQGendaRow(row(local), 0, zone).kind, JSON.stringify(local)).toBe('shift');
    // 07:00 EST on the day DST starts is 12:00 UTC; QGenda saying 08:00 for it is wrong by an hour.
    const wrong = readQGendaRow(row({ StartDateUTC: '2026-03-08T13:00:00' }), 0, zone);
    expect(wrong).toMatchObject({
      kind: 'refused',
      problem:
        'its start is 2026-03-08T13:00:00Z in UTC, which is 2026-03-08 09:00 in America/New_York, but its local start says 2026-03-08 08:00',
    });
    for (const unreadable of [
      { StartTime: '25:00' },
      { StartTime: '13:00 PM' },
      { StartDate: '2026-02-30T00:00:00' },
      { StartDate: 'March 8' },
      { StartTime: '' },
    ]) {
      const r = readQGendaRow(row(unreadable), 0, zone);
      expect(r.kind, JSON.stringify(unreadable)).toBe('refused');
    }
  });
});
