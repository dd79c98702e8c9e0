// A process that syncs a big schedule through the engine again and again, for the kill -9 test: it
// alternates two versions of one 48-hour window (every shift's person differs between them), and tells
// the parent over IPC when each sync begins and ends, so the parent can kill it in the middle of one.

import type { SourceShift } from '../../src/schedules/sources/source.ts';
import { ScheduleSyncEngine } from '../../src/schedules/sync-engine.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

const [dataDir, shiftsArg] = process.argv.slice(2);
const count = Number(shiftsArg);
const now = new Date('2026-11-22T12:00:00Z');
const H = 3_600_000;
const store = openSqliteStore(dataDir);
const engine = new ScheduleSyncEngine(
  {
    schedules: store.schedules,
    sourceStore: store.scheduleSources,
    findPeople: (_kind, value) => [value],
    now: () => now,
    log: { info() {}, warn() {}, error() {} },
  },
  [
    {
      id: 'big',
      kind: 'fake',
      enabled: true,
      everyMinutes: 15,
      daysBack: 0,
      daysForward: 2,
      staleAfterMinutes: 60,
      massDeleteShare: 0.3,
      people: [{ field: 'id', match: 'id' }],
      assignments: [{ task: { t: 'x' }, assignment: 'a', callOrder: 1 }],
      notifyAffected: false,
      unmappedDigestMinutes: 60,
      options: {},
    },
  ],
);

const version = (v: number): SourceShift[] =>
  Array.from({ length: count }, (_, i) => ({
    sourceId: `s${i}`,
    staff: { id: `p-${v}-${i % 50}` },
    task: { t: 'x' },
    start: new Date(now.getTime() + (i * 47 * H) / count),
    end: new Date(now.getTime() + (i * 47 * H) / count + H),
  }));

for (let n = 0; ; n++) {
  process.send?.({ begin: n });
  const outcome = await engine.apply('big', {
    mode: 'window',
    from: now,
    to: new Date(now.getTime() + 48 * H),
    shifts: version(n % 2),
  });
  process.send?.({ end: n, status: outcome.status, changes: outcome.changes.length });
}
