/**
 * The scheduling sources over HTTP, end to end on a running Switchboard: a CSV drop folder synced on demand
 * (dry run, then for real), the change feed with its cursor, an unmapped row in the status and in the
 * coverage gaps, the mass-delete guard holding a sync until an admin confirms it, and health.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/routing/clock.ts';
import {
  signIn,
  startTestSwitchboard,
  type TestSwitchboard,
  writeTestAccounts,
  writeTestConfig,
} from '../support/harness.ts';

const H = 3_600_000;
/** Times a little ahead, on the hour, written in ISO 8601 with their offset. */
const base = Math.ceil(Date.now() / H) * H + H;
const at = (h: number) => new Date(base + h * H).toISOString();

const directory = `directory:
  people:
    - id: p-one
      name: Dr. One
      ids: { uniqueId: 'U1' }
      contacts: [{ kind: app, address: dr.one }, { kind: email, address: one@test.example }]
    - { id: p-two, name: Dr. Two, ids: { uniqueId: 'U2' }, contacts: [{ kind: app, address: dr.two }] }
  groups:
    - { id: operators, name: Operators, members: [p-one] }
`;
const schedules = `schedules:
  assignments:
    - { id: hospitalist, name: Hospitalist on call, type: oncall, department: Medicine }
`;
const sources = `sources:
  - id: office
    kind: csv-drop
    window: { daysForward: 3 }
    people: [{ field: person, match: uniqueId }]
    assignments: [{ task: { assignment: hospitalist }, assignment: hospitalist }]
    options: { folder: drop, settleSeconds: 0 }
`;
const header = 'assignment,person,start,end,call_order,notes,published\n';
const paging = `paging:
  carriers:
    - { name: mail, kind: smtp, host: 127.0.0.1, port: 9, domain: pager.test.example, from: sb@test.example }
`;

let sb: TestSwitchboard;
const clock = new ManualClock(new Date());
let analyst: string;
let admin: string;

function drop(name: string, rows: string[]): void {
  writeFileSync(join(sb.configDir, 'drop', name), header + rows.map((r) => `${r}\n`).join(''));
}

async function api(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sb.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, read by the expectations below
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

beforeAll(async () => {
  const configDir = writeTestConfig(
    {
      'directory.yaml': directory,
      'schedules.yaml': schedules,
      'sources.yaml': sources,
      'paging.yaml': paging,
    },
    'routing:\n  failsafeGroup: operators\n',
  );
  mkdirSync(join(configDir, 'drop'));
  await writeTestAccounts(configDir, [
    { username: 'ana', role: 'analyst' },
    { username: 'adm', role: 'admin', person: 'p-one' },
  ]);
  sb = await startTestSwitchboard({ configDir, cycle: false, clock });
  analyst = await signIn(sb.httpUrl, 'ana');
  admin = await signIn(sb.httpUrl, 'adm');
});
afterAll(async () => {
  await sb?.cleanup();
});

describe('scheduling sources over the API', () => {
  it('syncs a drop on demand: a dry run first, then for real, with the feed and the unmapped row', async () => {
    drop('a.csv', [
      `hospitalist,U1,${at(0)},${at(12)},1,,true`,
      `hospitalist,U2,${at(12)},${at(24)},1,,true`,
      `hospitalist,U1,${at(24)},${at(36)},1,,true`,
      `hospitalist,U2,${at(36)},${at(48)},1,,true`,
      `hospitalist,U9,${at(48)},${at(60)},1,,true`,
    ]);
    const dry = await api(analyst, 'POST', '/api/sources/office/sync', { dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.status).toBe('dry-run');
    expect(dry.body.changes.map((c: { seq: number; kinds: string[] }) => [c.seq, c.kinds])).toEqual(
      Array(4).fill([0, ['added']]),
    );
    expect((await api(analyst, 'GET', '/api/schedule-changes')).body).toEqual({ items: [], next: 0 });

    const real = await api(analyst, 'POST', '/api/sources/office/sync', {});
    expect(real.body.status).toBe('applied');
    expect(real.body.unmapped.map((u: { reason: string; rowRef: string }) => [u.reason, u.rowRef])).toEqual([
      ['nobody', 'line 6'],
    ]);
    const page = await api(analyst, 'GET', '/api/schedule-changes?after=0&limit=3');
    expect(page.body.items.map((c: { seq: number }) => c.seq)).toEqual([1, 2, 3]);
    expect(page.body.next).toBe(3);
    const rest = await api(analyst, 'GET', `/api/schedule-changes?after=${page.body.next}&source=office`);
    expect(rest.body.items.map((c: { seq: number; actor: string }) => [c.seq, c.actor])).toEqual([
      [4, 'sync:office (asked by ana)'],
    ]);
    const bad = await api(analyst, 'GET', '/api/schedule-changes?after=-1&limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { key: string }) => e.key).sort()).toEqual(['after', 'limit']);

    const status = await api(analyst, 'GET', '/api/sources');
    expect(status.body.items).toHaveLength(1);
    expect(status.body.items[0]).toMatchObject({
      id: 'office',
      kind: 'csv-drop',
      state: 'ok',
      lastError: null,
      held: null,
    });
    expect(status.body.items[0].unmapped).toHaveLength(1);
    const gaps = await api(analyst, 'GET', '/api/coverage/gaps?days=3');
    const hospitalist = gaps.body.items.find(
      (g: { assignment: { id: string } }) => g.assignment.id === 'hospitalist',
    );
    expect(hospitalist.unmappedSlots).toEqual([
      {
        source: 'office',
        row: 'line 6',
        reason: 'nobody',
        start: new Date(base + 48 * H).toISOString(),
        end: new Date(base + 60 * H).toISOString(),
      },
    ]);
    // The administrator (adm is p-one) is mailed the unmapped row once per interval, however many syncs.
    drop('a2.csv', [
      `hospitalist,U1,${at(0)},${at(12)},1,,true`,
      `hospitalist,U2,${at(12)},${at(24)},1,,true`,
      `hospitalist,U1,${at(24)},${at(36)},1,,true`,
      `hospitalist,U2,${at(36)},${at(48)},1,,true`,
      `hospitalist,U9,${at(48)},${at(60)},1,,true`,
    ]);
    const again = await api(analyst, 'POST', '/api/sources/office/sync', {});
    expect([again.body.status, again.body.unmapped.length]).toEqual(['unchanged', 1]);
    const mails = await sb.store.outbox.list({ channel: 'page' });
    expect(mails.map((m) => m.target)).toEqual(['mail:one@test.example']);
    expect((mails[0].payload as { text: string }).text).toMatch(/^Schedule office: 1 row\(s\) not applied/);
    const gapAt48 = hospitalist.gaps.find(
      (g: { start: string }) => g.start === new Date(base + 48 * H).toISOString(),
    );
    expect(gapAt48.unmapped).toHaveLength(1);
  });

  it('holds a sync that empties most of the next 48 hours until an admin confirms it', async () => {
    drop('b.csv', [
      `hospitalist,U1,${at(0)},${at(12)},1,,true`,
      `hospitalist,U2,${at(36)},${at(48)},1,,true`,
    ]);
    const held = await api(analyst, 'POST', '/api/sources/office/sync', {});
    expect(held.body.status).toBe('held');
    expect(held.body.guard).toEqual({ hold: true, removes: 2, ofTotal: 4 });
    const status = (await api(analyst, 'GET', '/api/sources')).body.items[0];
    expect(status.held).toMatchObject({ removes: 2, ofTotal: 4 });
    expect((await api(analyst, 'POST', '/api/sources/office/held/confirm')).status).toBe(403);
    const confirmed = await api(admin, 'POST', '/api/sources/office/held/confirm');
    expect(confirmed.body.status).toBe('applied');
    expect(confirmed.body.changes.map((c: { kinds: string[]; actor: string }) => [c.kinds, c.actor])).toEqual(
      [
        [['removed'], 'adm'],
        [['removed'], 'adm'],
      ],
    );
    expect((await api(admin, 'POST', '/api/sources/office/held/confirm')).status).toBe(404);
    expect((await api(admin, 'POST', '/api/sources/nowhere/sync', {})).status).toBe(404);
  });

  it('lists the sources in health, and tells the failsafe group once when a source goes stale', async () => {
    const health = async () => {
      const res = await fetch(`${sb.httpUrl}/api/health`);
      return ((await res.json()) as { listeners: Record<string, { state: string; sources: unknown[] }> })
        .listeners['schedule-sources'];
    };
    expect(await health()).toMatchObject({ state: 'listening', sources: [{ id: 'office', state: 'ok' }] });
    clock.advance(61);
    expect(await health()).toMatchObject({ state: 'stale', sources: [{ id: 'office', state: 'stale' }] });
    const runner = sb.scheduleSync?.runner;
    expect(await runner?.checkStale()).toBe(1);
    expect(await runner?.checkStale()).toBe(0);
    // Straight from the store: the analyst's session expired with the hour the clock moved.
    const alerts = await sb.store.alerts.list({ limit: 50 });
    const stale = alerts.filter((a) => a.title.startsWith('Schedule from office not synced since'));
    expect(stale.map((a) => a.priority)).toEqual(['high']);
  });
});
