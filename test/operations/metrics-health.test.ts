/**
 * /metrics, liveness/readiness and the dashboard API of a running Switchboard, over HTTP and MLLP:
 * HL7 messages move the per-sender counters and ACK histogram, the token is required, and the
 * dashboard's figures follow the traffic.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  oru,
  signIn,
  startTestSwitchboard,
  type TestSwitchboard,
  writeTestAccounts,
  writeTestConfig,
} from '../support/harness.ts';
import { RawMllpPeer } from '../support/mllp-socket.ts';

const TOKEN = 'metrics-token-for-the-test-0123';
let sb: TestSwitchboard;
let analyst: string;
let clinician: string;

/** The samples of a Prometheus text exposition: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function scrape(authorization?: string) {
  const res = await fetch(`${sb.httpUrl}/metrics`, { headers: authorization ? { authorization } : {} });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function operations(token: string) {
  const res = await fetch(`${sb.httpUrl}/api/operations`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const configDir = writeTestConfig(
    {},
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a ${ENV} reference in YAML, read by the loader
    'metrics:\n  enabled: true\n  token: ${METRICS_TOKEN}\noperations:\n  quietMinutes:\n    default: 30\n',
  );
  await writeTestAccounts(configDir, [
    { username: 'ana', role: 'analyst' },
    { username: 'nurse', role: 'clinician' },
  ]);
  sb = await startTestSwitchboard({ configDir, env: { METRICS_TOKEN: TOKEN } });
  analyst = await signIn(sb.httpUrl, 'ana');
  clinician = await signIn(sb.httpUrl, 'nurse');
});

afterAll(async () => {
  await sb?.cleanup();
});

describe('metrics and health', () => {
  it('liveness answers, readiness is ready once everything started', async () => {
    const live = await fetch(`${sb.httpUrl}/api/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'live' });
    const ready = await fetch(`${sb.httpUrl}/api/health/ready`);
    expect(await ready.json()).toEqual({ status: 'ready', reasons: [] });
    expect(ready.status).toBe(200);
    // The old summary stays.
    expect((await fetch(`${sb.httpUrl}/api/health`)).status).toBe(200);
  });

  it('HL7 over MLLP moves the per-sender counters, the ACK histogram and the dashboard', async () => {
    const peer = await RawMllpPeer.open(sb.mllpPort);
    for (let i = 0; i < 3; i++) peer.write(`\x0b${oru(`OPS-${i}`, 'LAB')}\x1c\x0d`);
    peer.write('\x0bnot an HL7 message\x1c\x0d');
    const acks = await peer.waitForAcks(4);
    peer.close();
    expect(acks.filter((a) => a.includes('MSA|AA')).length).toBe(3);
    expect(acks.filter((a) => a.includes('MSA|AR')).length).toBe(1);
    // Routed before the first look: the day's counts by status are kept for a minute.
    await sb.settled();

    const lab = '{listener="mllp",sender="LAB^RGH"}';
    const unreadable = '{listener="mllp",sender="(unreadable)"}';
    // The ingest thread reports its counts every half second.
    const m = await vi.waitFor(
      async () => {
        const s = samples((await scrape(`Bearer ${TOKEN}`)).text);
        expect(s.get(`switchboard_messages_received_total${lab}`)).toBe(3);
        expect(s.get(`switchboard_naks_total${unreadable}`)).toBe(1);
        return s;
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(m.get(`switchboard_naks_total${lab}`)).toBeUndefined();
    expect(m.get(`switchboard_ack_seconds_count${lab}`)).toBe(3);
    expect(m.get('switchboard_ack_seconds_bucket{le="+Inf",listener="mllp",sender="LAB^RGH"}')).toBe(3);
    expect(m.get('switchboard_listener_up{listener="mllp"}')).toBe(1);
    expect(m.get('switchboard_routing_backlog')).toBeTypeOf('number');

    const { status, body } = await operations(analyst);
    expect(status).toBe(200);
    const interfaces = body.interfaces as Array<Record<string, unknown>>;
    const labRow = interfaces.find((i) => i.sender === 'LAB^RGH') ?? {};
    expect(labRow).toMatchObject({ listener: 'mllp', messages: 3, naks: 0, quietForMinutes: null });
    const perMinute = labRow.perMinute as number[];
    expect(perMinute.length).toBe(60);
    expect(perMinute.reduce((a, b) => a + b, 0)).toBe(3);
    expect(labRow.ackP50Ms).toBeTypeOf('number');
    expect(labRow.ackP99Ms as number).toBeGreaterThanOrEqual(labRow.ackP50Ms as number);
    expect(interfaces.find((i) => i.sender === '(unreadable)')).toMatchObject({ messages: 1, naks: 1 });
    expect(body.listeners).toContainEqual(expect.objectContaining({ name: 'mllp', up: true }));
    // No rules folder in this config: the three results are stored and left unrouted.
    expect((body.routing as { lastDay: Record<string, number> }).lastDay).toMatchObject({
      unrouted: 3,
      failed: 0,
    });
    expect(body.alerts).toMatchObject({ open: 0, escalationLatenessSeconds: 0 });
    expect(Array.isArray(body.outbox)).toBe(true);
  });

  it('/metrics needs its token', async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text).type).toBe('urn:switchboard:invalid-token');
    expect((await scrape(`Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await scrape(`Bearer ${analyst}`)).status).toBe(401);
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.type).toContain('text/plain');
    // Process metrics and event-loop lag come with it.
    expect(ok.text).toContain('switchboard_nodejs_eventloop_lag_seconds');
    expect(ok.text).toContain('switchboard_process_resident_memory_bytes');
  });

  it('the dashboard API is for analysts and admins only', async () => {
    expect((await operations(clinician)).status).toBe(403);
    expect((await fetch(`${sb.httpUrl}/api/operations`)).status).toBe(401);
  });

  it('readiness is 503 with the reason while the MLLP listener is down, and ready again after', async () => {
    await sb.mllpIngest?.crashThread();
    const down = await vi.waitFor(
      async () => {
        const res = await fetch(`${sb.httpUrl}/api/health/ready`);
        expect(res.status).toBe(503);
        return (await res.json()) as { status: string; reasons: string[] };
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(down.status).toBe('not-ready');
    expect(down.reasons.join()).toMatch(/^mllp is failed/);
    // Liveness does not change: restarting the process is not what helps.
    expect((await fetch(`${sb.httpUrl}/api/health/live`)).status).toBe(200);
    await vi.waitFor(async () => expect((await fetch(`${sb.httpUrl}/api/health/ready`)).status).toBe(200), {
      timeout: 15_000,
      interval: 200,
    });
  });
});

describe('metrics on a port of their own', () => {
  let other: TestSwitchboard;
  beforeAll(async () => {
    other = await startTestSwitchboard({
      configDir: writeTestConfig({}, 'metrics:\n  enabled: true\n  port: 0\n'),
    });
  });
  afterAll(async () => {
    await other?.cleanup();
  });

  it('answers there without a token, and not on the HTTP port', async () => {
    expect(other.metrics?.port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${other.metrics?.port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('switchboard_process_cpu_seconds_total');
    expect((await fetch(`${other.httpUrl}/metrics`)).status).toBe(404);
  });
});
