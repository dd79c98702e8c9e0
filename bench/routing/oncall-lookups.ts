import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { OnCallResolver } from '../../src/schedules/on-call.ts';
import type { Shift } from '../../src/store/schedule-port.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

export interface LookupFigures {
  shifts: number;
  lookups: number;
  resolverPerSecond: number;
  barePerSecond: number;
}

/**
 * On-call lookups over `shifts` shifts (200 assignments, 12-hour shifts, two call orders), through the
 * OnCallResolver and the store, next to the bare indexed SELECT on the same table in the same run.
 */
export async function measureOnCallLookups(shifts = 100_000, lookups = 50_000): Promise<LookupFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-oncall-'));
  const store = openSqliteStore(dir);
  const assignments = 200;
  const start = Date.UTC(2026, 0, 1);
  const perAssignment = Math.ceil(shifts / assignments / 2);
  await store.schedules.upsertAssignments(
    Array.from({ length: assignments }, (_, i) => ({
      id: `a${i}`,
      name: `Assignment ${i}`,
      type: 'oncall' as const,
      department: 'Bench',
    })),
  );
  const all: Shift[] = [];
  for (let a = 0; a < assignments; a++) {
    for (let k = 0; k < perAssignment; k++) {
      for (const order of [1, 2]) {
        const s = start + k * 12 * 3600_000;
        all.push({
          id: `a${a}-${k}-${order}`,
          assignmentId: `a${a}`,
          personId: `p${(a + k + order) % 500}`,
          start: new Date(s),
          end: new Date(s + 12 * 3600_000),
          callOrder: order,
          notes: '',
          published: true,
          source: 'bench',
        });
      }
    }
  }
  await store.schedules.replaceShifts('bench', all.slice(0, shifts));
  const span = perAssignment * 12 * 3600_000;
  const queries = Array.from({ length: lookups }, (_, i) => ({
    assignment: `a${i % assignments}`,
    at: new Date(start + ((i * 7919) % span)),
  }));

  const resolver = new OnCallResolver(store.schedules);
  for (const q of queries.slice(0, 2000)) await resolver.onCall(q.assignment, q.at); // warm up
  let t = performance.now();
  for (const q of queries) await resolver.onCall(q.assignment, q.at);
  const resolverPerSecond = lookups / ((performance.now() - t) / 1000);
  await store.close();

  const db = new Database(join(dir, 'switchboard.db'), { readonly: true });
  const bare = db.prepare(
    'SELECT * FROM shifts WHERE assignment_id = ? AND start_at <= ? AND end_at > ? ORDER BY call_order',
  );
  for (const q of queries.slice(0, 2000)) bare.all(q.assignment, q.at.getTime(), q.at.getTime());
  t = performance.now();
  for (const q of queries) bare.all(q.assignment, q.at.getTime(), q.at.getTime());
  const barePerSecond = lookups / ((performance.now() - t) / 1000);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { shifts, lookups, resolverPerSecond, barePerSecond };
}
