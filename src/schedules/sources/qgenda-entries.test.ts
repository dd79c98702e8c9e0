import { describe, expect, it } from 'vitest';
import { QGendaEntries } from './qgenda-entries.ts';

const entry = (n: number) => ({
  ScheduleKey: `K${n}`,
  StartDateUTC: new Date(Date.UTC(2026, 0, 12, 12) + n * 3_600_000).toISOString().slice(0, 19),
  EndDateUTC: new Date(Date.UTC(2026, 0, 12, 13) + n * 3_600_000).toISOString().slice(0, 19),
  StaffId: `E${n % 40}`,
  TaskId: 'HOSP',
  Notes: 'x'.repeat(200),
});

describe('QGendaEntries', () => {
  it('gives the event loop a turn between batches of a large page, so lookups are answered meanwhile', async () => {
    const rows = Array.from({ length: 3000 }, (_, n) => entry(n));
    // The whole page at once: any turn taken while it is read is the reader's own.
    const page = Buffer.from(JSON.stringify(rows));
    async function* body() {
      yield new Uint8Array(page);
    }
    const entries = new QGendaEntries('America/New_York', undefined, Number.NEGATIVE_INFINITY);
    const readDuringTurns: number[] = [];
    let reading = true;
    const turn = () => {
      readDuringTurns.push(entries.rows);
      if (reading) setImmediate(turn);
    };
    setImmediate(turn);
    await entries.readPage(body(), 'the page', 64 * 1024 * 1024);
    reading = false;
    expect(entries.result().shifts).toHaveLength(3000);
    // Turns ran while some rows were read and others were not yet.
    const between = readDuringTurns.filter((n) => n > 0 && n < 3000);
    expect(between.length).toBeGreaterThan(3);
  });

  it('keeps the last entry of a key that two overlapping pages both send, and drops a deleted one', () => {
    const entries = new QGendaEntries('America/New_York', undefined, Number.NEGATIVE_INFINITY);
    entries.add(entry(1));
    entries.add({ ...entry(1), StaffId: 'E9' });
    entries.add(entry(2));
    entries.add({ ...entry(2), IsDeleted: true, LastModifiedDateUTC: '2026-01-11T08:00:00' });
    const { shifts, deleted } = entries.result();
    expect(shifts.map((s) => [s.sourceId, s.staff.StaffId])).toEqual([['K1', 'E9']]);
    expect(deleted).toEqual(['K2']);
    expect(entries.latest).toBe(Date.parse('2026-01-11T08:00:00Z'));
  });

  it('gives rows naming the same person (or task) one shared record', () => {
    const entries = new QGendaEntries('America/New_York', undefined, Number.NEGATIVE_INFINITY);
    for (const n of [0, 40, 1]) entries.add(entry(n));
    const [a, b, c] = entries.result().shifts;
    expect(a.staff).toEqual({ StaffId: 'E0' });
    expect(b.staff).toBe(a.staff);
    expect(c.staff).not.toBe(a.staff);
    expect(c.task).toBe(a.task);
  });
});
