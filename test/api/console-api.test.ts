import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';

let sb: TestSwitchboard;
let configDir: string;
let analyst: string;
let doctor: string;
const clock = new ManualClock('2026-11-22T14:30:00Z');

async function send(raw: string) {
  const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
  await client.connect();
  await client.send(raw);
  await client.close();
  await sb.settled();
}

const call = async (path: string, token: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await fetch(`${sb.httpUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: the assertions read the answers field by field
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, type: res.headers.get('content-type') };
};

beforeAll(async () => {
  configDir = await writeBehaviourHospital();
  sb = await startTestSwitchboard({ configDir, clock, cycle: false });
  analyst = await signIn(sb.httpUrl, 'analyst');
  doctor = await signIn(sb.httpUrl, 'dr.one');
  await send(result('2823-3', 'LL', '2.7', 'K-CRIT-1'));
  await send(result('2951-2', 'N', '140', 'NA-1').replace('MRN77', 'MRN88'));
});
afterAll(async () => {
  await sb.cleanup();
});

describe('console API: message browser', () => {
  it('finds the critical potassium by MRN and by words, and audits the search', async () => {
    const byMrn = await call('/api/messages?mrn=MRN77', analyst);
    expect(byMrn.body.items.map((m: { controlId: string }) => m.controlId)).toEqual(['K-CRIT-1']);
    expect(byMrn.body.items[0].patientMrn).toBe('MRN77');
    const byWords = await call(`/api/messages?text=${encodeURIComponent('2.7 mmol/L')}`, analyst);
    // Both results are labelled Potassium; the words are a phrase, so only one has 2.7 mmol/L.
    expect(byWords.body.items.map((m: { controlId: string }) => m.controlId)).toEqual(['K-CRIT-1']);
    expect((await call('/api/messages?text=potassium', analyst)).body.total).toBe(2);
    // The console counts only so far ("more than 1" here): the total is that number, and says it is a floor.
    const capped = await call('/api/messages?text=potassium&countUpTo=1&limit=1', analyst);
    expect(capped.body).toMatchObject({ total: 1, totalExact: false });
    expect((await call('/api/messages?text=potassium&countUpTo=0', analyst)).status).toBe(400);
    const exact = await call(`/api/messages?text=${encodeURIComponent('140 mmol')}`, analyst);
    expect(exact.body.items.map((m: { controlId: string }) => m.controlId)).toEqual(['NA-1']);
    const audit = await sb.store.audit.list({ subject: 'patient:MRN77' });
    expect(audit[0]).toMatchObject({ actor: 'analyst', action: 'message.search' });
  });

  it('shows the path: the rule that matched, those that did not and why, the alert, its recipients and timeline', async () => {
    const [m] = (await call('/api/messages?controlId=K-CRIT-1', analyst)).body.items;
    const { status, body } = await call(`/api/messages/${m.id}/path`, analyst);
    expect(status).toBe(200);
    expect(body.status).toBe('routed');
    expect(body.ack.stored).toBe(false);
    expect(body.rules.matches[0].ruleId).toBe('critical');
    const cardiology = body.rules.traces.find((t: { ruleId: string }) => t.ruleId === 'cardiology');
    expect(cardiology.matched).toBe(false);
    expect(body.alerts).toHaveLength(1);
    expect(body.alerts[0].recipients[0]).toMatchObject({ personId: 'p-one', step: 0 });
    expect(body.alerts[0].timeline.length).toBeGreaterThan(0);
    expect((await sb.store.audit.list({ subject: `message:${m.id}` }))[0].action).toBe('message.path');
  });

  it('reprocess shows first what would happen and says the message already raised its alert', async () => {
    const [m] = (await call('/api/messages?controlId=K-CRIT-1', analyst)).body.items;
    const preview = await call('/api/messages/reprocess', analyst, { method: 'POST', body: { ids: [m.id] } });
    expect(preview.body.confirmed).toBe(false);
    expect(preview.body.results[0].preview.matches[0].ruleId).toBe('critical');
    expect(preview.body.results[0].warning).toMatch(/already raised alert/);
    const alertsBefore = (await sb.store.alerts.list({})).length;
    const done = await call('/api/messages/reprocess', analyst, {
      method: 'POST',
      body: { ids: [m.id], confirm: true },
    });
    expect(done.body.results[0]).toMatchObject({ status: 'routed', newAlerts: [] });
    expect(done.body.results[0].warning).toMatch(/no second alert/);
    expect((await sb.store.alerts.list({})).length).toBe(alertsBefore);
  });

  it('exports a selection as raw HL7 and as CSV metadata', async () => {
    const items = (await call('/api/messages', analyst)).body.items as Array<{ id: number }>;
    const ids = items.map((m) => m.id);
    const hl7 = await call('/api/messages/export', analyst, { method: 'POST', body: { ids, format: 'hl7' } });
    expect(hl7.type).toContain('application/hl7-v2');
    expect(hl7.body.split('MSH|').length - 1).toBe(ids.length);
    const csv = await call('/api/messages/export', analyst, { method: 'POST', body: { ids, format: 'csv' } });
    expect(csv.body.split('\r\n')[0]).toContain('"controlId"');
    expect(csv.body).toContain('"K-CRIT-1"');
  });
});

describe('console API: dead letters', () => {
  it('sends a dead-lettered delivery again as a new one, and refuses one that is not dead', async () => {
    const now = clock.now();
    const [dead] = await sb.store.outbox.add(
      [{ channel: 'page', target: 'test:555-0100', payload: { text: 'K 2.7' }, alertId: null }],
      now,
    );
    await sb.store.outbox.markDead(dead.id, 'carrier refused', now);
    const again = await call(`/api/deliveries/${dead.id}/resend`, analyst, { method: 'POST' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      resent: dead.id,
      delivery: { channel: 'page', target: 'test:555-0100' },
    });
    const copy = await sb.store.outbox.get(again.body.delivery.id);
    expect(copy?.payload).toEqual({ text: 'K 2.7' });
    const [sent] = await sb.store.outbox.add(
      [{ channel: 'page', target: 'test:555-0101', payload: { text: 'ok' }, alertId: null }],
      now,
    );
    await sb.store.outbox.markSent(sent.id, 'accepted', now);
    const refused = await call(`/api/deliveries/${sent.id}/resend`, analyst, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('urn:switchboard:delivery-not-dead');
    expect((await sb.store.audit.list({ subject: `delivery:${dead.id}` }))[0].action).toBe('delivery.resend');
  });
});

describe('console API: rules workbench', () => {
  const toSupervisor = (text: string) =>
    text.replace(
      'recipients: [ { onCall: hospitalist, order: first } ]\n    priority: urgent',
      'recipients: [ { onCall: supervisor, order: first } ]\n    priority: urgent',
    );

  it('lists the files, finds a typo at its line, replays the last hour with the fix, saves it, and the next message follows', async () => {
    const { body } = await call('/api/rules/files', analyst);
    const file = body.files.find((f: { name: string }) => f.name === 'rules.yaml');
    expect(file.text).toBe(readFileSync(join(configDir, 'rules', 'rules.yaml'), 'utf8'));
    const edited = toSupervisor(file.text);
    expect(edited).not.toBe(file.text);

    const typo = edited.replace('onCall: supervisor', 'onCal: supervisor');
    const checked = await call('/api/rules/check', analyst, {
      method: 'POST',
      body: { files: [{ name: 'rules.yaml', text: typo }] },
    });
    expect(checked.body.ok).toBe(false);
    const line = typo.split('\n').findIndex((l) => l.includes('onCal:')) + 1;
    expect(checked.body.problems.some((p: { line?: number }) => p.line === line)).toBe(true);

    const draft = [{ name: 'rules.yaml', text: edited }];
    expect(
      (await call('/api/rules/check', analyst, { method: 'POST', body: { files: draft } })).body.ok,
    ).toBe(true);

    const replayed = await call('/api/rules/replay', analyst, {
      method: 'POST',
      body: { files: draft, hours: 1 },
    });
    expect(replayed.status).toBe(200);
    expect(replayed.body.redirect).toBe(1);
    const change = replayed.body.items.flatMap((i: { changes: unknown[] }) => i.changes)[0];
    expect(change).toMatchObject({
      kind: 'redirect',
      ruleId: 'critical',
      before: ['p-one'],
      after: ['p-sup'],
    });

    const dry = await call('/api/rules/dry-run', analyst, {
      method: 'POST',
      body: { message: result('2823-3', 'HH', '6.9'), draft },
    });
    expect(dry.body.matches[0].recipients[0].personId).toBe('p-sup');
    const [stored] = (await call('/api/messages?controlId=K-CRIT-1', analyst)).body.items;
    const dryStored = await call('/api/rules/dry-run', analyst, {
      method: 'POST',
      body: { messageId: stored.id, draft, at: '2026-11-22T14:30:00Z' },
    });
    expect(dryStored.body.matches[0]).toMatchObject({
      ruleId: 'critical',
      recipients: [{ personId: 'p-sup' }],
    });
    expect((await sb.store.audit.list({ subject: `message:${stored.id}` }))[0].action).toBe(
      'message.dry-run',
    );

    const refused = await call('/api/rules/files/rules.yaml', analyst, {
      method: 'PUT',
      body: { text: typo, baseVersion: file.version },
    });
    expect(refused.status).toBe(422);
    const saved = await call('/api/rules/files/rules.yaml', analyst, {
      method: 'PUT',
      body: { text: edited, baseVersion: file.version },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ saved: true, reload: { ok: true, changed: true } });
    expect(readFileSync(join(configDir, 'rules', 'rules.yaml'), 'utf8')).toBe(edited);
    // Recorded in the store, for the other instances of a cluster and as who changed what.
    const [recorded] = await sb.store.ruleEdits.since(0);
    expect(recorded).toMatchObject({
      name: 'rules.yaml',
      baseVersion: file.version,
      text: edited,
      savedBy: 'analyst',
    });
    const stale = await call('/api/rules/files/rules.yaml', analyst, {
      method: 'PUT',
      body: { text: edited, baseVersion: file.version },
    });
    expect(stale.status).toBe(409);

    await send(result('2823-3', 'HH', '6.9', 'K-CRIT-2'));
    const [next] = (await call('/api/messages?controlId=K-CRIT-2', analyst)).body.items;
    const path = await call(`/api/messages/${next.id}/path`, analyst);
    expect(path.body.alerts[0].recipients[0].personId).toBe('p-sup');
  });

  it('a save the store cannot record writes nothing and answers 503', async () => {
    const before = readFileSync(join(configDir, 'rules', 'rules.yaml'), 'utf8');
    const edits = sb.store.ruleEdits;
    const record = edits.record;
    edits.record = () => Promise.reject(new Error('the database is down'));
    try {
      const res = await call('/api/rules/files/rules.yaml', analyst, {
        method: 'PUT',
        body: { text: `${before}# an edit\n` },
      });
      expect(res.status).toBe(503);
      expect(res.body.type).toBe('urn:switchboard:rules-not-saved');
    } finally {
      edits.record = record;
    }
    expect(readFileSync(join(configDir, 'rules', 'rules.yaml'), 'utf8')).toBe(before);
  });

  it('a clinician gets 403 from every console route', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/messages?mrn=MRN77'],
      ['GET', '/api/messages/1/path'],
      ['POST', '/api/messages/reprocess', { ids: [1] }],
      ['POST', '/api/messages/export', { ids: [1], format: 'csv' }],
      ['POST', '/api/deliveries/1/resend'],
      ['GET', '/api/rules/files'],
      ['POST', '/api/rules/check', { files: [] }],
      ['PUT', '/api/rules/files/rules.yaml', { text: 'rules: []' }],
      ['POST', '/api/rules/replay', {}],
      ['POST', '/api/rules/dry-run', { message: 'MSH|^~\\&|' }],
    ];
    for (const [method, path, body] of routes)
      expect((await call(path, doctor, { method, body })).status, `${method} ${path}`).toBe(403);
  });
});
