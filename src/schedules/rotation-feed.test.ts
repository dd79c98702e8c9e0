import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/port.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { Rotation } from './rotation.ts';
import { refreshRotations } from './sync.ts';

const rotation: Rotation = {
  assignmentId: 'hospitalist',
  people: ['p-a', 'p-b', 'p-c'],
  shiftHours: 12,
  handoffMinutes: 7 * 60,
  callOrder: 1,
  daysBefore: 1,
  daysAfter: 14,
};

describe('demo rotation refresh and the change feed', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-rotation-feed-'));
    store = openSqliteStore(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes only the days that slid in and out, and nothing for a refresh on the same day', async () => {
    const zone = 'America/New_York';
    const day1 = new Date('2026-11-10T15:00:00Z');
    await refreshRotations(store.schedules, [rotation], zone, day1);
    const first = await store.schedules.lastChangeSeq();
    // 16 local days of two 12-hour shifts.
    expect(first).toBe(32);
    await refreshRotations(store.schedules, [rotation], zone, new Date(day1.getTime() + 3_600_000));
    expect(await store.schedules.lastChangeSeq()).toBe(first);
    await refreshRotations(store.schedules, [rotation], zone, new Date(day1.getTime() + 86_400_000));
    const slid = await store.schedules.changes({ after: first });
    expect(slid.map((c) => c.kinds[0]).sort()).toEqual(['added', 'added', 'removed', 'removed']);
    expect(slid.every((c) => c.actor === 'config')).toBe(true);
  });
});
