import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';

let sb: TestSwitchboard;
let analyst: string;
let doctor: string;
const clock = new ManualClock('2026-11-22T14:30:00Z');

beforeAll(async () => {
  sb = await startTestSwitchboard({ configDir: await writeBehaviourHospital(), clock, cycle: false });
  analyst = await signIn(sb.httpUrl, 'analyst');
  doctor = await signIn(sb.httpUrl, 'dr.one');
  const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
  await client.connect();
  await client.send(
    'MSH|^~\\&|ADT|RGH|SB|RGH|20261122140000||ADT^A01|ADM-1|P|2.5.1\rPID|1||MRN77^^^RGH^MR||DOE^JANE\rPV1|1|I|4W^401^A^RGH||||1234^ONE^DOCTOR^^^^^^^^^^NPI\r',
  );
  await client.close();
  await sb.settled();
});
afterAll(async () => {
  await sb.cleanup();
});

const call = async (path: string, token: string, init: RequestInit = {}) => {
  const res = await fetch(`${sb.httpUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...init.headers },
  });
  return { status: res.status, body: await res.json() };
};

describe('routing API', () => {
  it('dry run says which rule matched, who would be told and why, and sends nothing', async () => {
    const raw = result('2823-3', 'LL').replace(/\r/g, '\n');
    const { status, body } = await call('/api/rules/dry-run', analyst, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: raw,
    });
    expect(status).toBe(200);
    expect(body.outcome).toBe('alert');
    expect(body.matches[0]).toMatchObject({
      ruleId: 'critical',
      priority: 'urgent',
      escalationPolicy: 'critical',
    });
    expect(body.matches[0].recipients[0].personId).toBe('p-one');
    expect(body.matches[0].recipients[0].reason).toBe(
      'on call for Hospitalist, first call, Sun 22 Nov 07:00 – Mon 23 Nov 07:00',
    );
    expect(body.traces.find((t: { ruleId: string }) => t.ruleId === 'cardiology').matched).toBe(false);
    expect((await sb.store.alerts.list({})).length).toBe(0);
    expect(
      (
        await call('/api/rules/dry-run', doctor, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: raw,
        })
      ).status,
    ).toBe(403);
  });

  it('dry run of garbage answers unparseable, not an error', async () => {
    const { body } = await call('/api/rules/dry-run', analyst, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello' }),
    });
    expect(body).toMatchObject({ parsed: false, outcome: 'unparseable' });
  });

  it('on call in call order, with the shift', async () => {
    const { body } = await call(
      `/api/oncall?assignment=hospitalist&at=${encodeURIComponent('2026-11-22T15:00:00Z')}`,
      doctor,
    );
    expect(
      body.onCall.map((e: { personId: string; callOrder: number }) => [e.personId, e.callOrder]),
    ).toEqual([
      ['p-one', 1],
      ['p-two', 2],
    ]);
    expect(body.onCall[0].shift.start).toBe('2026-11-22T12:00:00.000Z');
    expect((await call('/api/oncall?assignment=nope', doctor)).status).toBe(404);
    expect(
      (await call('/api/assignments', doctor)).body.items.map((a: { id: string }) => a.id).sort(),
    ).toEqual(['cardiology', 'hospitalist', 'supervisor']);
  });

  it('coverage gaps list the assignments with nobody reachable', async () => {
    const { body } = await call('/api/coverage?from=2026-11-22T12:00:00Z&to=2026-11-23T12:00:00Z', analyst);
    const cardiology = body.items.find(
      (g: { assignment: { id: string } }) => g.assignment.id === 'cardiology',
    );
    expect(cardiology.gaps).toEqual([{ start: '2026-11-22T12:00:00.000Z', end: '2026-11-23T12:00:00.000Z' }]);
    expect(
      body.items.find((g: { assignment: { id: string } }) => g.assignment.id === 'hospitalist'),
    ).toBeUndefined();
  });

  it('care team of a patient admitted over ADT, audited', async () => {
    const { status, body } = await call('/api/patients/MRN77/care-team', analyst);
    expect(status).toBe(200);
    expect(body.visit.location).toMatchObject({ unit: '4W', room: '401', bed: 'A' });
    expect(body.careTeam[0]).toMatchObject({ role: 'attending' });
    expect((await sb.store.audit.list({ subject: 'patient:MRN77' })).length).toBeGreaterThan(0);
    expect((await call('/api/patients/NOPE/care-team', analyst)).status).toBe(404);
  });

  it('alert endpoints: a clinician answers over HTTP; others are refused', async () => {
    const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
    await client.connect();
    await client.send(result('2823-3', 'LL', '2.6', 'API-ALERT'));
    await client.close();
    await sb.settled();
    const [alert] = await sb.store.alerts.list({});
    const two = await signIn(sb.httpUrl, 'dr.two');
    expect((await call(`/api/alerts/${alert.id}`, two)).status).toBe(403);
    expect((await call(`/api/alerts/${alert.id}/acknowledge`, two, { method: 'POST' })).status).toBe(403);
    const mine = await call('/api/alerts', doctor);
    expect(mine.body.items.map((a: { id: number }) => a.id)).toContain(alert.id);
    const ack = await call(`/api/alerts/${alert.id}/accept`, doctor, { method: 'POST' });
    expect(ack.body).toMatchObject({ status: 'acknowledged', myState: 'accepted' });
    const again = await call(`/api/alerts/${alert.id}/reject`, doctor, { method: 'POST' });
    expect(again.status).toBe(409);
    const detail = await call(`/api/alerts/${alert.id}`, analyst);
    expect(detail.body.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'received',
      'routed',
      'notified',
      'accepted',
    ]);
    expect(detail.body.recipientReasons['p-one'].reason).toMatch(/^on call for Hospitalist, first call, /);
  });
});
