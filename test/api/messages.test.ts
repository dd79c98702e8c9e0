import { Writable } from 'node:stream';
import type pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/config/logger.ts';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import {
  oru,
  signIn,
  startTestSwitchboard,
  type TestSwitchboard,
  writeTestAccounts,
  writeTestConfig,
} from '../support/harness.ts';

let sb: TestSwitchboard;
let token: string;
beforeAll(async () => {
  const configDir = writeTestConfig();
  await writeTestAccounts(configDir, [
    { username: 'analyst', role: 'analyst' },
    { username: 'nurse', role: 'clinician' },
  ]);
  sb = await startTestSwitchboard({ configDir });
  token = await signIn(sb.httpUrl, 'analyst');
  const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
  await client.connect();
  await client.send(oru('API-1', 'LAB'));
  await client.send(oru('API-2', 'LAB'));
  await client.send(oru('API-3', 'CHEM'));
  await client.send(
    'MSH|^~\\&|ADMIT|RGH|SB|RGH|20260115||ADT^A01|API-4|P|2.5\rPID|1||M9^^^RGH^MR||ROE^RICHARD\r',
  );
  await client.close();
  await sb.ingested();
});
afterAll(async () => {
  await sb.cleanup();
});

const get = async (path: string, bearer = token) => {
  const res = await fetch(`${sb.httpUrl}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
};

describe('GET /api/messages', () => {
  it('lists newest first with a total', async () => {
    const { status, body } = await get('/api/messages');
    expect(status).toBe(200);
    expect(body.total).toBe(4);
    expect(body.items.map((m: { controlId: string }) => m.controlId)).toEqual([
      'API-4',
      'API-3',
      'API-2',
      'API-1',
    ]);
    expect(body.items[0].raw).toBeUndefined();
  });

  it('filters by control id, sender, type and time', async () => {
    expect((await get('/api/messages?controlId=API-2')).body.total).toBe(1);
    expect((await get('/api/messages?sender=CHEM')).body.items[0].controlId).toBe('API-3');
    expect((await get('/api/messages?type=ADT^A01')).body.total).toBe(1);
    expect((await get('/api/messages?type=ORU')).body.total).toBe(3);
    expect((await get('/api/messages?since=2999-01-01T00:00:00Z')).body.total).toBe(0);
    expect((await get('/api/messages?until=2999-01-01T00:00:00Z&limit=2')).body.items).toHaveLength(2);
  });

  it('answers a bad query with problem JSON naming every bad parameter', async () => {
    const { status, type, body } = await get('/api/messages?since=yesterday&limit=-4');
    expect(status).toBe(400);
    expect(type).toContain('application/problem+json');
    expect(body.errors.map((e: { key: string }) => e.key).sort()).toEqual(['limit', 'since']);
  });
});

describe('GET /api/messages/:id', () => {
  it('returns metadata, the raw message and a parsed view, and audits the access', async () => {
    const list = await get('/api/messages?controlId=API-4');
    const id = list.body.items[0].id;
    const { status, body } = await get(`/api/messages/${id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ controlId: 'API-4', messageType: 'ADT', triggerEvent: 'A01' });
    expect(body.raw).toContain('PID|1||M9');
    const pid = body.parsed.segments.find((s: { name: string }) => s.name === 'PID');
    expect(JSON.stringify(pid)).toContain('ROE');
    const audit = await sb.store.audit.list({ subject: `message:${id}` });
    expect(audit[0]).toMatchObject({ action: 'message.view' });
  });

  it('answers 404 and 400 with problem JSON', async () => {
    expect((await get('/api/messages/999999')).status).toBe(404);
    const bad = await get('/api/messages/abc');
    expect(bad.status).toBe(400);
    expect(bad.body.title).toBeTruthy();
  });
});

describe('authentication', () => {
  it('refuses the inbox without a token, with a bad token, and to a clinician', async () => {
    expect((await fetch(`${sb.httpUrl}/api/messages`)).status).toBe(401);
    expect((await get('/api/messages', 'forged.token')).status).toBe(401);
    expect((await get('/api/messages', await signIn(sb.httpUrl, 'nurse'))).status).toBe(403);
    expect((await fetch(`${sb.httpUrl}/api/health`)).status).toBe(200);
  });

  it('refuses a wrong password with problem JSON', async () => {
    const res = await fetch(`${sb.httpUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'analyst', password: 'nope' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('logging', () => {
  it('redacts PHI-bearing fields', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger('info', sink as unknown as pino.DestinationStream);
    log.info({ raw: 'PID|1||MRN123||DOE^JANE', controlId: 'C1', patient: { name: 'DOE' } }, 'stored');
    expect(lines.join('')).not.toContain('DOE');
    expect(lines.join('')).toContain('C1');
  });
});
