/**
 * Clinicians message each other through the routing core, over the real HTTP API and WebSocket: the day
 * nurse messages "on call for Hospitalist" without knowing who that is, the first call gets it on the app
 * with the reason, reads it (the nurse sees the receipt) and replies; an urgent message unread past the
 * site's minutes becomes an alert that pages and escalates; reading it closes that alert.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';

const api = async (sb: TestSwitchboard, token: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${sb.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
};

describe('clinician messaging', () => {
  let sb: TestSwitchboard | undefined;
  const devices: FakeDevice[] = [];
  afterEach(async () => {
    for (const d of devices.splice(0)) d.close();
    await sb?.cleanup();
    sb = undefined;
  });

  async function hospital(extra = '') {
    const configDir = await writeBehaviourHospital();
    if (extra) {
      const { appendFileSync } = await import('node:fs');
      appendFileSync(`${configDir}/switchboard.yaml`, extra);
    }
    const clock = new ManualClock('2026-11-22T14:30:00Z');
    sb = await startTestSwitchboard({ configDir, clock, cycle: false });
    const device = async (username: string) => {
      const token = await signIn(sb!.httpUrl, username);
      const d = await FakeDevice.connect(sb!.httpUrl, token, username);
      devices.push(d);
      return { token, device: d };
    };
    return { sb, clock, device };
  }

  it('resolves "on call for Hospitalist" at send time, shows who and why, and carries receipts and replies', async () => {
    const { sb, device } = await hospital();
    const nurse = await device('rn.day');
    const one = await device('dr.one');

    const sent = await api(sb, nurse.token, 'POST', '/api/conversations', {
      to: { kind: 'onCall', assignment: 'hospitalist' },
      body: 'K 2.9 after replacement in 401-A, repeat the level?',
    });
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    expect(sent.json.recipients).toEqual([
      {
        personId: 'p-one',
        name: 'Dr. One',
        reason: expect.stringMatching(/^on call for Hospitalist, first call/),
      },
    ]);
    expect(sent.json.message.addressedTo).toBe('on call for Hospitalist');
    const messageId = sent.json.message.id as number;

    const arrived = await one.device.waitFor((f) => f.type === 'message');
    expect(arrived).toMatchObject({
      message: { id: messageId, sender: { personId: 'rn-day', name: 'Day Nurse' }, priority: 'normal' },
      conversation: { subject: 'On call for Hospitalist' },
    });

    one.device.send({ type: 'message-delivered', messageId });
    one.device.send({ type: 'message-read', messageId });
    const receipt = await nurse.device.waitFor(
      (f) => f.type === 'receipt' && (f.message as any).receipts[0].state === 'read',
    );
    expect((receipt.message as any).receipts[0]).toMatchObject({ personId: 'p-one', state: 'read' });

    const conversationId = sent.json.conversation.id as number;
    const reply = await api(sb, one.token, 'POST', `/api/conversations/${conversationId}/messages`, {
      body: 'Yes, repeat at 16:00 and call me if under 3.0',
    });
    expect(reply.status).toBe(201);
    expect(reply.json.recipients.map((r: any) => r.personId)).toEqual(['rn-day']);
    await nurse.device.waitFor(
      (f) => f.type === 'message' && (f.message as any).id === reply.json.message.id,
    );

    const list = await api(sb, nurse.token, 'GET', '/api/conversations');
    expect(list.json.items).toHaveLength(1);
    expect(list.json.items[0]).toMatchObject({
      unread: 1,
      last: { body: 'Yes, repeat at 16:00 and call me if under 3.0' },
    });

    const opened = await api(sb, nurse.token, 'GET', `/api/conversations/${conversationId}`);
    expect(opened.json.messages.map((m: any) => m.sender.personId)).toEqual(['rn-day', 'p-one']);
    expect(
      (await sb.store.audit.list({ subject: `conversation:${conversationId}` })).map((e) => e.action),
    ).toEqual(expect.arrayContaining(['message.send', 'conversation.view']));

    // Someone who is not in it may neither read nor reply.
    const two = await signIn(sb.httpUrl, 'dr.two');
    expect((await api(sb, two, 'GET', `/api/conversations/${conversationId}`)).json.type).toBe(
      'urn:switchboard:not-in-conversation',
    );
  });

  it('picks the patient from the census and the recipient as one types, and reaches the nurse covering the bed', async () => {
    const { sb, device } = await hospital();
    const one = await device('dr.one');
    const nurse = await device('rn.day');
    const mllp = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
    await mllp.connect();
    const admit = [
      'MSH|^~\\&|ADT|RGH|SB|RGH|20261122090000||ADT^A01|MSG-ADMIT-1|P|2.5.1',
      'EVN|A01|20261122090000',
      'PID|1||MRN77^^^RGH^MR||DOE^JANE||19700501|F',
      'PV1|1|I|4W^401^A^RGH',
      '',
    ].join('\r');
    expect(await mllp.send(admit)).toContain('MSA|AA|');
    await mllp.close();
    await sb.settled();

    const people = await api(sb, one.token, 'GET', '/api/recipients?q=hosp');
    expect(people.json.assignments).toEqual([
      {
        id: 'hospitalist',
        name: 'Hospitalist',
        department: expect.any(String),
        onCallNow: [
          { personId: 'p-one', name: 'Dr. One', callOrder: 1 },
          { personId: 'p-two', name: 'Dr. Two', callOrder: 2 },
        ],
      },
    ]);
    expect(
      (await api(sb, one.token, 'GET', '/api/recipients?q=nurse')).json.people.map((p: any) => p.id),
    ).toEqual(['rn-day']);
    const patients = await api(sb, one.token, 'GET', '/api/patients?q=doe');
    expect(patients.json.patients).toEqual([
      { mrn: 'MRN77', name: 'DOE, JANE', birthDate: '1970-05-01', where: '4W 401-A' },
    ]);
    expect((await sb.store.audit.list({ subject: 'census' })).map((e) => e.action)).toContain(
      'patient.search',
    );

    const sent = await api(sb, one.token, 'POST', '/api/conversations', {
      to: { kind: 'coverage', role: 'nurse' },
      patientMrn: 'MRN77',
      body: 'Please hold the 10:00 potassium dose',
    });
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    expect(sent.json.recipients).toEqual([
      { personId: 'rn-day', name: 'Day Nurse', reason: 'nurse covering 4W 401-A' },
    ]);
    expect(sent.json.conversation.patient).toEqual({ mrn: 'MRN77', name: 'DOE, JANE', where: '4W 401-A' });
    await nurse.device.waitFor(
      (f) => f.type === 'message' && (f.conversation as any).patient?.mrn === 'MRN77',
    );
  });

  it("gives open-in-EHR links filled with the patient's enterprise id, and leaves out what cannot be filled", async () => {
    const { sb, device } = await hospital(`ehr:
  patientId: { authority: EPI, type: MR }
  links:
    - { label: Open in Haiku, platforms: [ios], template: 'epichaiku://open?patient={patientId}&user={ehrUser}' }
    - { label: Open chart, platforms: [web], template: 'https://ehr.example.org/chart?pat={patientId}&enc={encounter}' }
`);
    const one = await device('dr.one');
    const mllp = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
    await mllp.connect();
    const admit = [
      'MSH|^~\\&|ADT|RGH|SB|RGH|20261122090000||ADT^A01|MSG-ADMIT-2|P|2.5.1',
      'EVN|A01|20261122090000',
      'PID|1||MRN77^^^RGH^MR~E1001^^^EPI^MR||DOE^JANE||19700501|F',
      'PV1|1|I|4W^401^A^RGH||||||||||||||||V42',
      '',
    ].join('\r');
    expect(await mllp.send(admit)).toContain('MSA|AA|');
    await mllp.close();
    await sb.settled();
    const links = await api(sb, one.token, 'GET', '/api/patients/MRN77/ehr-links');
    // Dr. One has no EHR user name in the directory: the Haiku link cannot be filled and is left out.
    expect(links.json.links).toEqual([
      { label: 'Open chart', platforms: ['web'], url: 'https://ehr.example.org/chart?pat=E1001&enc=V42' },
    ]);
    expect((await api(sb, one.token, 'GET', '/api/patients/NOBODY/ehr-links')).status).toBe(404);
    expect((await sb.store.audit.list({ subject: 'patient:MRN77' })).map((e) => e.action)).toContain(
      'patient.ehr-links',
    );
  });

  it('refuses a message nobody can receive, and bad requests, with problem JSON', async () => {
    const { sb, device } = await hospital();
    const nurse = await device('rn.day');
    const nobody = await api(sb, nurse.token, 'POST', '/api/conversations', {
      to: { kind: 'onCall', assignment: 'cardiology' },
      body: 'Anyone?',
    });
    expect(nobody.status).toBe(422);
    expect(nobody.json).toMatchObject({
      type: 'urn:switchboard:nobody-to-message',
      detail: expect.stringMatching(/Cardiology/),
    });
    expect((await sb.store.conversations.forPerson('rn-day')).length).toBe(0);

    const bad = await api(sb, nurse.token, 'POST', '/api/conversations', {
      to: { kind: 'onCall' },
      priority: 'soon',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.type).toBe('urn:switchboard:invalid-request');

    const unknownPatient = await api(sb, nurse.token, 'POST', '/api/conversations', {
      to: { kind: 'person', id: 'p-one' },
      body: 'About this patient',
      patientMrn: 'NOT-ADMITTED',
    });
    expect(unknownPatient.json.type).toBe('urn:switchboard:unknown-patient');
  });

  it('turns an urgent message unread after the site minutes into an alert, which reading it closes', async () => {
    const { sb, clock, device } = await hospital('messaging:\n  urgentUnreadMinutes: 2\n');
    const nurse = await device('rn.day');
    const one = await device('dr.one');
    const sent = await api(sb, nurse.token, 'POST', '/api/conversations', {
      to: { kind: 'person', id: 'p-one' },
      body: 'Patient in 401-A is hypotensive, please come',
      priority: 'urgent',
    });
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    const messageId = sent.json.message.id as number;

    clock.advance(1);
    expect(await sb.routing.messaging.escalateOverdue()).toBe(0);
    clock.advance(1.1);
    expect(await sb.routing.messaging.escalateOverdue()).toBe(1);
    const alert = await one.device.waitForAlert((a) => a.title === 'Unread urgent message from Day Nurse');
    expect(alert.priority).toBe('urgent');
    const timeline = await sb.store.alerts.timeline(alert.id);
    expect(timeline.find((e) => e.kind === 'routed')?.detail).toMatch(/not read within 2 minutes/);

    one.device.send({ type: 'message-read', messageId });
    await one.device.waitFor((f) => f.type === 'removed' && f.alertId === alert.id);
    expect((await sb.store.alerts.get(alert.id))?.status).toBe('closed');
    expect(await sb.routing.messaging.escalateOverdue()).toBe(0);
  });
});
