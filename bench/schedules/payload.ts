/**
 * A QGenda-style `GET /v2/schedule` payload for the schedule bench: `TASKS` tasks, each staffed around
 * the clock in 12-hour shifts by a pool of 5,000 staff, as many days as `shifts` needs. The second payload
 * swaps the person of `changed` of the shifts (spread evenly), which is what a day of schedule edits is.
 */
import { DateTime } from 'luxon';

export const TASKS = 200;
const H = 3_600_000;
const START = Date.parse('2026-11-02T12:00:00Z');

export function windowOf(shifts: number): { from: Date; to: Date } {
  const perTask = Math.ceil(shifts / TASKS);
  return { from: new Date(START), to: new Date(START + perTask * 12 * H) };
}

export function qgendaPayload(shifts: number, changed: number): string {
  const every = changed > 0 ? Math.round(1 / changed) : 0;
  const rows: object[] = [];
  for (let n = 0; n < shifts; n++) {
    const task = n % TASKS;
    const slot = Math.floor(n / TASKS);
    const start = START + slot * 12 * H;
    const staff = (n * 31 + (every && n % every === 0 ? 17 : 0)) % 5000;
    const s = DateTime.fromMillis(start, { zone: 'America/New_York' });
    const e = DateTime.fromMillis(start + 12 * H, { zone: 'America/New_York' });
    rows.push({
      ScheduleKey: `sk-${n}`,
      StartDate: s.toFormat("yyyy-MM-dd'T'00:00:00"),
      StartTime: s.toFormat('HH:mm'),
      EndDate: e.toFormat("yyyy-MM-dd'T'00:00:00"),
      EndTime: e.toFormat('HH:mm'),
      StartDateUTC: new Date(start).toISOString().slice(0, 19),
      EndDateUTC: new Date(start + 12 * H).toISOString().slice(0, 19),
      IsPublished: true,
      IsStruck: false,
      Notes: '',
      LastModifiedDateUTC: '2026-11-01T08:00:00',
      TimeZone: 'America/New_York',
      StaffKey: `00000000-0000-0000-0000-${String(staff).padStart(12, '0')}`,
      StaffId: `S${staff}`,
      StaffAbbrev: `ST${staff}`,
      StaffFName: 'Staff',
      StaffLName: `Member ${staff}`,
      StaffEmail: `staff${staff}@hospital.example`,
      TaskKey: `10000000-0000-0000-0000-${String(task).padStart(12, '0')}`,
      TaskId: `T${task}`,
      TaskName: `Task ${task}`,
      TaskAbbrev: `TK${task}`,
    });
  }
  return JSON.stringify(rows);
}
