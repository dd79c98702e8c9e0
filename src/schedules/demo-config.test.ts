import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { YamlFile } from '../kit/yaml-files.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { loadSchedules } from './load.ts';
import { OnCallResolver } from './on-call.ts';
import { applySchedules } from './sync.ts';

// The demo schedule must always have someone on call now, whatever day the demo is started.
const configDir = fileURLToPath(new URL('../../config/', import.meta.url));
const zone = 'America/New_York';
const H = 3_600_000;

// Schedules may not import the directory module, so the demo's people are read from the file itself.
const directory = new YamlFile('directory.yaml', readFileSync(join(configDir, 'directory.yaml'), 'utf8'))
  .value as { directory: { people: Array<{ id: string }> } };
const people = new Set(directory.directory.people.map((p) => p.id));

describe('demo schedules (config/schedules.yaml)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-demo-sched-'));
  const store = openSqliteStore(dataDir);
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const now of [new Date(), new Date('2026-03-08T07:30:00Z'), new Date('2026-11-01T06:30:00Z')]) {
    it(`has someone on call for every assignment, now and for four weeks (today = ${now.toISOString()})`, async () => {
      const { value, problems } = loadSchedules(configDir, {
        zone,
        knownPeople: (id) => people.has(id),
        now,
      });
      expect(problems).toEqual([]);
      expect(value.sources.get('csv:schedules-icu.csv')?.length).toBe(4);
      await applySchedules(store.schedules, value);
      const resolver = new OnCallResolver(store.schedules);
      const assignments = await store.schedules.listAssignments();
      expect(assignments).toHaveLength(6);
      for (const a of assignments) {
        const first = await resolver.firstInCallOrder(a.id, now);
        expect(first.length, a.id).toBeGreaterThan(0);
      }
      const gaps = await resolver.coverageGaps(now, new Date(now.getTime() + 27 * 24 * H), () => true);
      expect(gaps).toEqual([]);
      const hospitalists = await resolver.onCall('hospitalist', now);
      expect(hospitalists.map((e) => e.callOrder).slice(0, 2)).toEqual([1, 2]);
    });
  }
});
