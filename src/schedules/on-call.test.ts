import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { YamlFile } from '../kit/yaml-files.ts';
import type { Store } from '../store/port.ts';
import type { Shift } from '../store/schedule-port.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { loadSchedules } from './load.ts';
import { OnCallResolver } from './on-call.ts';
import { applySchedules, refreshRotations } from './sync.ts';

const zone = 'America/New_York';
const H = 3_600_000;
const knownPeople = (id: string) => id.startsWith('p-') || id.startsWith('ph-');
const at = (iso: string) => new Date(iso);

const scheduleYaml = `
schedules:
  assignments:
    - { id: hospitalist-oncall, name: Hospitalist on call, type: oncall, department: Hospital Medicine }
    - { id: icu-intensivist, name: ICU intensivist, type: oncall, department: Critical Care }
    - { id: rapid-response, name: Rapid response team, type: team, department: Critical Care }
  shifts:
    - { assignment: icu-intensivist, person: p-night, start: '2026-10-31 19:00', end: '2026-11-01 07:00' }
    - { assignment: icu-intensivist, person: p-night, start: '2026-03-07 19:00', end: '2026-03-08 07:00' }
  rotations:
    - assignment: hospitalist-oncall
      people: [p-ahmed, p-brandt, p-chu]
      shiftHours: 24
      handoff: '07:00'
      callOrder: 1
      daysBefore: 2
      daysAfter: 2
    - assignment: hospitalist-oncall
      people: [p-backup1, p-backup2]
      shiftHours: 24
      handoff: '07:00'
      callOrder: 2
      daysBefore: 2
      daysAfter: 2
`;

describe('OnCallResolver over the SQLite store', () => {
  let dir: string;
  let store: Store;
  let resolver: OnCallResolver;

  async function load(now: string) {
    const { value, problems } = loadSchedules(new YamlFile('schedules.yaml', scheduleYaml), {
      zone,
      knownPeople,
      now: at(now),
    });
    expect(problems).toEqual([]);
    await applySchedules(store.schedules, value);
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-oncall-'));
    store = openSqliteStore(dir);
    resolver = new OnCallResolver(store.schedules);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on the 25-hour fall-back day, the person who took over at 07:00 EDT is on call at 02:30 EST', async () => {
    await load('2026-11-01T15:00:00Z');
    const entries = await resolver.onCall('hospitalist-oncall', at('2026-11-01T07:30:00Z')); // 02:30 EST
    expect(entries.map((e) => e.callOrder)).toEqual([1, 2]);
    const first = entries[0].shift;
    expect(first.start.toISOString()).toBe('2026-10-31T11:00:00.000Z'); // 07:00 EDT
    expect(first.end.toISOString()).toBe('2026-11-01T12:00:00.000Z'); // 07:00 EST
    expect((first.end.getTime() - first.start.getTime()) / H).toBe(25);
    // Still them in the repeated hour (01:30 EDT and 01:30 EST), and no longer at 07:00 EST.
    for (const iso of ['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z', '2026-11-01T11:59:59Z']) {
      expect((await resolver.firstInCallOrder('hospitalist-oncall', at(iso)))[0].personId).toBe(
        first.personId,
      );
    }
    const next = await resolver.firstInCallOrder('hospitalist-oncall', at('2026-11-01T12:00:00Z'));
    expect(next[0].personId).not.toBe(first.personId);
  });

  it('on the 23-hour spring-forward day, one shift covers 01:30 EST and 03:30 EDT (02:30 never happens)', async () => {
    await load('2026-03-08T15:00:00Z');
    const before = await resolver.firstInCallOrder('hospitalist-oncall', at('2026-03-08T06:30:00Z'));
    const after = await resolver.firstInCallOrder('hospitalist-oncall', at('2026-03-08T07:30:00Z'));
    expect(after[0].shift.id).toBe(before[0].shift.id);
    const s = before[0].shift;
    expect(s.start.toISOString()).toBe('2026-03-07T12:00:00.000Z'); // 07:00 EST
    expect(s.end.toISOString()).toBe('2026-03-08T11:00:00.000Z'); // 07:00 EDT
    expect((s.end.getTime() - s.start.getTime()) / H).toBe(23);
  });

  it('keeps a 19:00-07:00 night shift on across each change: 13 hours in fall, 11 in spring', async () => {
    await load('2026-11-01T15:00:00Z');
    const fall = await resolver.onCall('icu-intensivist', at('2026-11-01T07:30:00Z'));
    expect(fall.map((e) => e.personId)).toEqual(['p-night']);
    expect((fall[0].shift.end.getTime() - fall[0].shift.start.getTime()) / H).toBe(13);
    expect(await resolver.onCall('icu-intensivist', at('2026-11-01T12:00:00Z'))).toEqual([]);
    const spring = await resolver.onCall('icu-intensivist', at('2026-03-08T07:30:00Z'));
    expect((spring[0].shift.end.getTime() - spring[0].shift.start.getTime()) / H).toBe(11);
  });

  it('orders by call order, passes over drafts, lists a person once, and skips an unreachable first call', async () => {
    const base = Date.parse('2026-11-22T12:00:00Z');
    const s = (id: string, personId: string, callOrder: number, published = true): Shift => ({
      id,
      assignmentId: 'rapid-response',
      personId,
      start: new Date(base),
      end: new Date(base + 12 * H),
      callOrder,
      notes: '',
      published,
      source: 'test',
    });
    await store.schedules.replaceShifts('test', [
      s('3', 'p-rt', 2),
      s('1', 'p-nurse', 1),
      s('2', 'p-md', 1),
      s('4', 'p-draft', 1, false),
      s('5', 'p-nurse', 3),
    ]);
    const now = new Date(base + H);
    const all = await resolver.onCall('rapid-response', now);
    expect(all.map((e) => [e.personId, e.callOrder])).toEqual([
      ['p-nurse', 1],
      ['p-md', 1],
      ['p-rt', 2],
    ]);
    expect((await resolver.firstInCallOrder('rapid-response', now)).map((e) => e.personId)).toEqual([
      'p-nurse',
      'p-md',
    ]);
    const onlyRt = (id: string) => id === 'p-rt';
    expect((await resolver.firstInCallOrder('rapid-response', now, onlyRt)).map((e) => e.personId)).toEqual([
      'p-rt',
    ]);
    expect(await resolver.firstInCallOrder('rapid-response', now, () => false)).toEqual([]);
    const withDrafts = new OnCallResolver(store.schedules, { includeDrafts: true });
    expect((await withDrafts.onCall('rapid-response', now)).map((e) => e.personId)).toContain('p-draft');
  });

  it('finds coverage gaps: holes between shifts and stretches held only by unreachable people', async () => {
    await store.schedules.upsertAssignments([
      { id: 'lab-critical', name: 'Lab critical results', type: 'role', department: 'Laboratory' },
      { id: 'house-supervisor', name: 'House supervisor', type: 'role', department: 'Nursing' },
    ]);
    const base = Date.parse('2026-11-22T12:00:00Z');
    const s = (id: string, assignmentId: string, personId: string, from: number, to: number): Shift => ({
      id,
      assignmentId,
      personId,
      start: new Date(base + from * H),
      end: new Date(base + to * H),
      callOrder: 1,
      notes: '',
      published: true,
      source: 'test',
    });
    await store.schedules.replaceShifts('test', [
      s('a', 'lab-critical', 'p-lab1', 0, 8),
      s('b', 'lab-critical', 'p-silent', 8, 16),
      s('c', 'lab-critical', 'p-lab2', 18, 24),
      s('d', 'house-supervisor', 'p-sup1', -6, 12),
      s('e', 'house-supervisor', 'p-sup2', 12, 30),
    ]);
    const reachable = (id: string) => id !== 'p-silent';
    const gaps = await resolver.coverageGaps(new Date(base), new Date(base + 24 * H), reachable);
    expect(gaps.map((g) => g.assignment.id)).toEqual(['lab-critical']);
    expect(gaps[0].gaps.map((g) => [(g.start.getTime() - base) / H, (g.end.getTime() - base) / H])).toEqual([
      [8, 18],
    ]);
    const one = await resolver.coverageGaps(
      new Date(base - 2 * H),
      new Date(base + H),
      reachable,
      'lab-critical',
    );
    expect(one[0].gaps.map((g) => [(g.start.getTime() - base) / H, (g.end.getTime() - base) / H])).toEqual([
      [-2, 0],
    ]);
    await expect(resolver.coverageGaps(new Date(base), new Date(base), reachable)).rejects.toThrow(
      RangeError,
    );
  });

  it('applies config sources, empties one taken out of the config, and leaves synced sources alone', async () => {
    await load('2026-11-22T15:00:00Z');
    const amion: Shift = {
      id: 'amion:1',
      assignmentId: 'hospitalist-oncall',
      personId: 'p-amion',
      start: at('2026-11-22T12:00:00Z'),
      end: at('2026-11-23T12:00:00Z'),
      callOrder: 3,
      notes: '',
      published: true,
      source: 'amion',
    };
    await store.schedules.replaceShifts('amion', [amion]);
    await store.schedules.replaceShifts('csv:old.csv', [{ ...amion, id: 'old', source: 'csv:old.csv' }]);
    await load('2026-11-22T15:00:00Z');
    expect(await store.schedules.sources()).toEqual(['amion', 'demo', 'yaml']);
    expect((await store.schedules.listAssignments()).map((a) => a.id)).toEqual([
      'hospitalist-oncall',
      'icu-intensivist',
      'rapid-response',
    ]);
    const now = await resolver.onCall('hospitalist-oncall', at('2026-11-22T15:00:00Z'));
    expect(now.map((e) => e.callOrder)).toEqual([1, 2, 3]);
  });
  it('refreshes the demo rotation so a server running for weeks stays covered', async () => {
    await load('2026-11-22T15:00:00Z');
    const later = at('2027-01-10T15:00:00Z'); // beyond the 2 days generated ahead
    expect(await resolver.onCall('hospitalist-oncall', later)).toEqual([]);
    const { value } = loadSchedules(new YamlFile('schedules.yaml', scheduleYaml), { zone, knownPeople });
    await refreshRotations(store.schedules, value.rotations, zone, later);
    expect((await resolver.onCall('hospitalist-oncall', later)).map((e) => e.callOrder)).toEqual([1, 2]);
    expect(await store.schedules.sources()).toEqual(['demo', 'yaml']);
  });
});
