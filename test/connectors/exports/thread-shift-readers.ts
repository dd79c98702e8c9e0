/**
 * Shift readers for a file's thread that go wrong on purpose (file-on-thread.test.ts), named by the
 * `source` the store would give: 'throws' fails after some shifts, 'exits' ends the thread, 'endless'
 * never ends.
 */
import type { Shift } from '../../../src/store/schedule-port.ts';

export const module = import.meta.url;

const shiftAt = (i: number, from: Date): Shift => ({
  id: `t${i}`,
  assignmentId: 'hospitalist',
  personId: i % 2 === 0 ? 'p-ahmed' : 'p-baker',
  start: new Date(from.getTime() + i * 60_000),
  end: new Date(from.getTime() + i * 60_000 + 3_600_000),
  callOrder: 1,
  notes: 'a note, with a comma',
  published: true,
  source: 'test',
});

export async function* shiftsByStart(source: string, from: Date): AsyncGenerator<Shift> {
  for (let i = 0; ; i++) {
    if (source === 'throws' && i === 2500) throw new Error('the database file went away');
    if (source === 'exits' && i === 2500) process.exit(7);
    if (source === 'endless' && i % 1000 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    yield shiftAt(i, from);
  }
}
