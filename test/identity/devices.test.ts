/**
 * A shared unit phone handed from one nurse to the next by badge taps: alerts follow the active login,
 * the previous nurse's page on the device is closed (their alerts leave it), and the hub counts people,
 * so the previous nurse is no longer "connected" for escalation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestSwitchboard, type TestSwitchboard, writeTestConfig } from '../support/harness.ts';

const ADMIN_TOKEN = 'badge-system-token-for-the-test';
let sb: TestSwitchboard;

beforeAll(async () => {
  const configDir = writeTestConfig({
    'directory.yaml': `directory:
  people:
    - { id: rn-ana, name: Nurse Ana, contacts: [{ kind: app, address: ana }] }
    - { id: rn-bo, name: Nurse Bo, contacts: [{ kind: app, address: bo }] }
  groups: []
`,
    'tokens.yaml': `apiTokens:\n  - { name: badge-system, role: admin, token: ${ADMIN_TOKEN} }\n`,
  });
  sb = await startTestSwitchboard({ configDir });
});
afterAll(async () => {
  await sb?.cleanup();
});

const tap = async (device: string, person: string) => {
  const res = await fetch(`${sb.httpUrl}/api/devices/${device}/login`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ person, source: 'badge' }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

interface Phone {
  frames: Array<{ type: string; alert?: { id: number; title: string } }>;
  closed: Promise<number>;
}

function openPage(token: string): Promise<Phone> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${sb.httpUrl.replace('http', 'ws')}/api/ws?token=${token}`);
    const phone: Phone = {
      frames: [],
      closed: new Promise((done) => ws.once('close', (code) => done(code))),
    };
    ws.on('message', (data) => {
      phone.frames.push(JSON.parse(String(data)));
      if (phone.frames.length === 1) resolve(phone);
    });
    ws.once('error', reject);
  });
}

const raiseFor = (person: string, title: string) =>
  sb.routing.alerts.raise({
    messageId: null,
    source: 'test',
    ruleId: 'test',
    title,
    body: title,
    priority: 'high',
    recipients: [{ kind: 'person', id: person, at: { file: 'test', key: 'test' } }],
    reasons: ['test'],
  });

describe('a shared unit phone', () => {
  it('follows the badge taps: the new nurse gets their alerts, the previous one leaves the device', async () => {
    const first = await tap('unit-4w-phone-1', 'rn-ana');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ previous: null, person: { id: 'rn-ana', name: 'Nurse Ana' } });
    const ana = await openPage(first.body.token as string);
    await raiseFor('rn-ana', 'Bed 12 call light');
    await expect.poll(() => ana.frames.some((f) => f.alert?.title === 'Bed 12 call light')).toBe(true);
    expect(sb.routing.hub.isConnected('rn-ana')).toBe(true);

    const second = await tap('unit-4w-phone-1', 'rn-bo');
    expect(second.body).toMatchObject({ previous: 'rn-ana', endedSessions: 1 });
    expect(await ana.closed).toBe(4401);
    const stale = await fetch(`${sb.httpUrl}/api/alerts`, {
      headers: { authorization: `Bearer ${first.body.token}` },
    });
    expect(stale.status).toBe(401);
    // Alerts follow the person: Ana is no longer connected anywhere, so escalation treats her so.
    expect(sb.routing.hub.isConnected('rn-ana')).toBe(false);

    const bo = await openPage(second.body.token as string);
    expect(sb.routing.hub.isConnected('rn-bo')).toBe(true);
    await raiseFor('rn-ana', 'For Ana only');
    await raiseFor('rn-bo', 'Bed 7 IV pump');
    await expect.poll(() => bo.frames.some((f) => f.alert?.title === 'Bed 7 IV pump')).toBe(true);
    expect(bo.frames.some((f) => f.alert?.title === 'For Ana only')).toBe(false);

    const holder = await fetch(`${sb.httpUrl}/api/devices/unit-4w-phone-1`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(await holder.json()).toMatchObject({ person: 'rn-bo', source: 'badge' });
    const sessions = await fetch(`${sb.httpUrl}/api/people/rn-bo/sessions`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(((await sessions.json()) as { items: unknown[] }).items).toMatchObject([
      { method: 'device', device: 'unit-4w-phone-1' },
    ]);

    const out = await fetch(`${sb.httpUrl}/api/devices/unit-4w-phone-1/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(await out.json()).toMatchObject({ released: 'rn-bo', endedSessions: 1 });
    expect(await bo.closed).toBe(4401);
  });

  it('refuses a person the directory does not know', async () => {
    const r = await tap('unit-4w-phone-2', 'rn-nobody');
    expect(r.status).toBe(409);
    expect(r.body.type).toBe('urn:switchboard:device-refused');
  });
});
