/**
 * The push API end to end: a vendor gets a token and pushes over real HTTP, the sync engine maps and
 * applies each push into a SQLite store in a temp folder, and the schedule, the on-call answer and the
 * change feed (actor push:<client>) show it before the answer comes back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOpenApi } from '../../src/api/openapi.ts';
import { answerError, registerRequestErrors } from '../../src/api/request-errors.ts';
import { PasswordHasher } from '../../src/kit/passwords.ts';
import type { SourceSettings } from '../../src/schedules/source-config.ts';
import { ScheduleSyncEngine } from '../../src/schedules/sync-engine.ts';
import type { Store } from '../../src/store/port.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { wireSchedulePush } from '../../src/wiring/schedule-push.ts';

const SECRET = 'vendor-secret-0b5e';
let dir: string;
let store: Store;
let app: FastifyInstance;
let base: string;
const hasher = new PasswordHasher();
const now = new Date('2026-03-01T12:00:00Z');

const anesthesia: SourceSettings = {
  id: 'anesthesia',
  kind: 'push',
  enabled: true,
  everyMinutes: 15,
  daysBack: 0,
  daysForward: 2,
  staleAfterMinutes: 1440,
  massDeleteShare: 0.3,
  people: [{ field: 'employeeId', match: 'employeeId' }],
  assignments: [
    { task: { taskId: 'ANES-OB' }, assignment: 'anesthesia-ob', callOrder: 1 },
    { task: { taskId: 'ANES-OB-BACKUP' }, assignment: 'anesthesia-ob', callOrder: 2 },
  ],
  notifyAffected: false,
  unmappedDigestMinutes: 1440,
  options: {},
};

const people: Record<string, string[]> = { E1001: ['p-ahmed'], E1002: ['p-baker'] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-push-'));
  store = openSqliteStore(dir);
  await store.schedules.upsertAssignments([
    { id: 'anesthesia-ob', name: 'OB Anesthesia', type: 'oncall', department: 'Anesthesia' },
  ]);
  const log = pino({ level: 'silent' });
  const engine = new ScheduleSyncEngine(
    {
      schedules: store.schedules,
      sourceStore: store.scheduleSources,
      findPeople: (kind, value) => (kind === 'employeeId' ? (people[value] ?? []) : []),
      now: () => now,
      log,
    },
    [anesthesia],
  );
  const secretHash = await hasher.hash(SECRET);
  const push = wireSchedulePush({
    clients: () => [{ id: 'lightning-bolt', secretHash, sources: ['anesthesia'], enabled: true }],
    secret: 'e2e',
    verify: (s, h) => hasher.verify(s, h),
    isPushSource: (id) => engine.source(id)?.kind === 'push',
    apply: (source, pull, actor) => engine.apply(source, pull, { actor }),
    audit: store.audit,
    log,
    now: () => now,
  });
  app = Fastify({ ajv: { customOptions: { allErrors: true } }, frameworkErrors: answerError });
  registerRequestErrors(app);
  await registerOpenApi(app);
  push.routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  await hasher.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('push through the sync engine into the store', () => {
  it('an upsert and a delete are in the schedule and the change feed when the answer arrives', async () => {
    const tokenRes = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`lightning-bolt:${SECRET}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;

    const up = await call(
      'POST',
      '/api/v1/schedules/anesthesia/shifts',
      {
        shifts: [
          {
            id: 'LB-1',
            staff: { employeeId: 'E1001' },
            task: { taskId: 'ANES-OB' },
            start: '2026-03-01T12:00:00Z',
            end: '2026-03-02T00:00:00Z',
          },
          {
            id: 'LB-2',
            staff: { employeeId: 'E1002' },
            task: { taskId: 'ANES-OB-BACKUP' },
            start: '2026-03-01T12:00:00Z',
            end: '2026-03-02T00:00:00Z',
          },
          {
            id: 'LB-3',
            staff: { employeeId: 'E1002' },
            task: { taskId: 'ANES-OB' },
            start: '2026-03-02T00:00:00Z',
            end: '2026-03-02T12:00:00Z',
          },
          {
            id: 'LB-4',
            staff: { employeeId: 'E1001' },
            task: { taskId: 'ANES-OB' },
            start: '2026-03-02T12:00:00Z',
            end: '2026-03-03T00:00:00Z',
          },
          {
            id: 'LB-5',
            staff: { employeeId: 'E9999' },
            task: { taskId: 'ANES-OB' },
            start: '2026-03-03T00:00:00Z',
            end: '2026-03-03T12:00:00Z',
          },
        ],
      },
      token,
    );
    expect(up.status).toBe(200);
    expect(up.body.status).toBe('applied');
    expect((up.body.unmapped as unknown[]).length).toBe(1);
    const on = await store.schedules.shiftsAt('anesthesia-ob', new Date('2026-03-01T18:00:00Z'));
    expect(on.map((s) => [s.personId, s.callOrder, s.sourceKey])).toEqual([
      ['p-ahmed', 1, 'LB-1'],
      ['p-baker', 2, 'LB-2'],
    ]);

    // The first-call anesthesiologist goes home sick: the vendor deletes the shift.
    const del = await call('DELETE', '/api/v1/schedules/anesthesia/shifts/LB-1', undefined, token);
    expect(del.status).toBe(200);
    const after = await store.schedules.shiftsAt('anesthesia-ob', new Date('2026-03-01T18:00:00Z'));
    expect(after.map((s) => s.personId)).toEqual(['p-baker']);

    const feed = await store.schedules.changes({ source: 'anesthesia' });
    expect(feed.map((c) => [c.kinds.join(','), c.before?.personId ?? c.after?.personId, c.actor])).toEqual([
      ['added', 'p-ahmed', 'push:lightning-bolt'],
      ['added', 'p-baker', 'push:lightning-bolt'],
      ['added', 'p-baker', 'push:lightning-bolt'],
      ['added', 'p-ahmed', 'push:lightning-bolt'],
      ['removed', 'p-ahmed', 'push:lightning-bolt'],
    ]);
    expect(feed.at(-1)?.before?.sourceKey).toBe('LB-1');

    // A window replace that would empty the next 48 hours is held for review, and changes nothing yet.
    const empty = await call(
      'PUT',
      '/api/v1/schedules/anesthesia/window',
      { from: '2026-03-01T00:00:00Z', to: '2026-03-04T00:00:00Z', shifts: [] },
      token,
    );
    expect(empty.status).toBe(202);
    expect(empty.body.status).toBe('held');
    expect(await store.schedules.changes({ source: 'anesthesia', after: feed.at(-1)?.seq })).toEqual([]);

    // Deleting most of a small department's next 48 hours is held too; the same call sent again agrees
    // with the held one and applies it (as an admin's confirmation would).
    const most = await call(
      'POST',
      '/api/v1/schedules/anesthesia/shifts/delete',
      { ids: ['LB-2', 'LB-3'] },
      token,
    );
    expect(most.status).toBe(202);
    const again = await call(
      'POST',
      '/api/v1/schedules/anesthesia/shifts/delete',
      { ids: ['LB-2', 'LB-3'] },
      token,
    );
    expect(again).toMatchObject({ status: 200, body: { status: 'applied' } });
    const left = await store.schedules.shiftsOverlapping(
      now,
      new Date('2026-03-04T00:00:00Z'),
      'anesthesia-ob',
    );
    expect(left.map((s) => s.sourceKey)).toEqual(['LB-4']);
  });
});
