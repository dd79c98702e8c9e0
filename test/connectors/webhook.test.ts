import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookBody } from '../../src/connectors/webhook/index.ts';
import { verifySignature } from '../../src/connectors/webhook/signature.ts';
import {
  type ConnectorHospital,
  connectorHospital,
  connectorSettings,
  H,
  shift,
} from '../support/connectors.ts';

const SECRET = 'webhook-test-secret';
const T0 = Date.parse('2026-12-07T12:00:00Z');

/** The hospital's receiver: verifies each signature and keeps the latest body per shift, as docs say. */
class Receiver {
  server: Server;
  received: Array<{ body: WebhookBody; delivery: string; verified: boolean }> = [];
  held = new Map<string, WebhookBody>();
  /** Milliseconds before each answer, and the most requests seen in flight at once. */
  delayMs = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Answer this status instead of 200 (503 while "down"). */
  status = 200;
  retryAfter?: string;
  now = () => new Date(T0);

  constructor() {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      req.on('end', async () => {
        if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
        this.inFlight--;
        if (this.status !== 200) {
          res.writeHead(this.status, this.retryAfter ? { 'retry-after': this.retryAfter } : {}).end('busy');
          return;
        }
        const verified = verifySignature(
          SECRET,
          text,
          req.headers['switchboard-signature'] as string,
          this.now(),
        );
        const body = JSON.parse(text) as WebhookBody;
        this.received.push({ body, delivery: req.headers['switchboard-delivery'] as string, verified });
        if (verified) this.held.set(body.shiftId, body);
        res.writeHead(verified ? 200 : 401).end(verified ? 'ok' : 'bad signature');
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/switchboard`;
  }
}

describe('signed webhook connector', () => {
  let h: ConnectorHospital;
  let receiver: Receiver;

  afterEach(async () => {
    await h?.close();
    receiver?.server.close();
  });

  async function start(concurrency = 1) {
    receiver = new Receiver();
    const url = await receiver.listen();
    h = await connectorHospital(
      [
        connectorSettings({
          id: 'ops-hook',
          kind: 'webhook',
          target: url,
          credentials: { secret: SECRET },
          options: { timeoutMs: 5000, concurrency },
        }),
      ],
      { start: new Date(T0) },
    );
    receiver.now = () => h.clock.now;
  }

  it('sends the window first, then each change, signed, and the receiver ends with our schedule', async () => {
    await start();
    await h.publish([shift('s1', 'p-ahmed', T0), shift('s2', 'p-brennan', T0 + 12 * H)]);
    await h.run();
    expect(receiver.received.map((r) => [r.body.event, r.body.shiftId, r.verified])).toEqual([
      ['shift.snapshot', 's1', true],
      ['shift.snapshot', 's2', true],
    ]);

    await h.publish([shift('s1', 'p-castro', T0), shift('s3', 'p-ahmed', T0 + 24 * H)]);
    await h.run();
    const changed = receiver.received
      .slice(2)
      .map((r) => [r.body.shiftId, r.body.kinds, r.body.after?.person.id ?? null]);
    expect(changed).toEqual(
      expect.arrayContaining([
        ['s1', ['person-changed'], 'p-castro'],
        ['s2', ['removed'], null],
        ['s3', ['added'], 'p-ahmed'],
      ]),
    );
    expect(changed).toHaveLength(3);
    expect(
      [...receiver.held.values()]
        .filter((b) => b.after)
        .map((b) => b.shiftId)
        .sort(),
    ).toEqual(['s1', 's3']);
    const log = await h.store.connectors.log('ops-hook', { limit: 50 });
    expect(log.filter((e) => e.outcome === 'sent')).toHaveLength(5);
  });

  it('a consumer stopped while 600 changes were committed catches up a page (500) at a time: each change once, none missing', async () => {
    await start();
    await h.run();
    const shifts = Array.from({ length: 600 }, (_, i) =>
      shift(`s${i}`, i % 2 ? 'p-ahmed' : 'p-brennan', T0 + i * H, 1),
    );
    for (let i = 0; i < shifts.length; i += 100) await h.publish(shifts.slice(0, i + 100));
    await h.run();
    const ids = receiver.received.map((r) => r.body.shiftId);
    expect(ids).toHaveLength(600);
    expect(new Set(ids).size).toBe(600);
    expect(receiver.received.every((r) => r.verified && r.body.kinds.join() === 'added')).toBe(true);
    expect(await h.store.connectors.cursor('ops-hook')).toBe(await h.store.schedules.lastChangeSeq());
    await h.run();
    expect(receiver.received).toHaveLength(600);
  });

  it('sends up to its concurrency at once, each shift once', async () => {
    await start(4);
    await h.run();
    receiver.delayMs = 20;
    await h.publish(Array.from({ length: 12 }, (_, i) => shift(`s${i}`, 'p-ahmed', T0 + i * H, 1)));
    await h.run();
    expect(receiver.received.map((r) => r.body.shiftId).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `s${i}`).sort(),
    );
    expect(receiver.maxInFlight).toBe(4);
  });

  it('a receiver refuses a replayed or altered request', () => {
    const body = '{"a":1}';
    const at = new Date(T0);
    const header = `t=${Math.floor(T0 / 1000)},v1=${createHmac('sha256', SECRET)
      .update(`${Math.floor(T0 / 1000)}.${body}`)
      .digest('hex')}`;
    expect(verifySignature(SECRET, body, header, at)).toBe(true);
    expect(verifySignature(SECRET, '{"a":2}', header, at)).toBe(false);
    expect(verifySignature(SECRET, body, header, new Date(T0 + 10 * 60_000))).toBe(false);
    expect(verifySignature('other', body, header, at)).toBe(false);
  });

  it('a receiver down for an hour gets the backlog once it is back: each shift once, at its latest state, after its Retry-After', async () => {
    await start();
    await h.publish([shift('s1', 'p-ahmed', T0)]);
    await h.run();
    expect(receiver.received).toHaveLength(1);

    receiver.status = 503;
    receiver.retryAfter = '120';
    const people = ['p-brennan', 'p-castro', 'p-ahmed', 'p-brennan'];
    for (const [i, p] of people.entries()) {
      h.clock.now = new Date(T0 + (i + 1) * 15 * 60_000);
      const extras = Array.from({ length: i + 1 }, (_, n) =>
        shift(`extra-${n}`, 'p-ahmed', T0 + (n + 2) * 24 * H),
      );
      await h.publish([shift('s1', p, T0), ...extras]);
      await h.run();
    }
    const pending = await h.store.outbox.list({ state: 'pending', channel: 'connector:webhook' });
    // Four changes of s1 coalesced to one job; extra-0..3 added once each.
    expect(pending).toHaveLength(5);
    expect(pending.filter((d) => (d.payload as { body: WebhookBody }).body.shiftId === 's1')).toHaveLength(1);
    // The receiver's Retry-After (120 s) is longer than the first backoff (1 s): honoured.
    const retried = pending.filter((d) => d.attempts > 0);
    expect(retried.length).toBeGreaterThan(0);
    for (const d of retried)
      expect(d.dueAt.getTime() - d.updatedAt.getTime()).toBeGreaterThanOrEqual(120_000);

    receiver.status = 200;
    h.clock.now = new Date(T0 + 2 * H);
    await h.run();
    const after = receiver.received.slice(1);
    expect(after.every((r) => r.verified)).toBe(true);
    const s1 = after.filter((r) => r.body.shiftId === 's1');
    expect(s1).toHaveLength(1);
    expect(s1[0].body.after?.person.id).toBe('p-brennan');
    expect(after.map((r) => r.body.shiftId).sort()).toEqual([
      'extra-0',
      'extra-1',
      'extra-2',
      'extra-3',
      's1',
    ]);
    const retries = await h.store.connectors.log('ops-hook', { limit: 100, outcomes: ['retry'] });
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0].answer).toMatch(/HTTP 503/);
  });

  it('a refusal (4xx) is not retried: the job is dead with the answer, and re-driven once fixed', async () => {
    await start();
    receiver.status = 410;
    await h.publish([shift('s1', 'p-ahmed', T0)]);
    await h.run();
    const dead = await h.store.outbox.list({ state: 'dead', channel: 'connector:webhook' });
    expect(dead).toHaveLength(1);
    expect(dead[0].lastError).toMatch(/HTTP 410/);
    receiver.status = 200;
    expect(await h.store.connectors.redrive('ops-hook', 'all', h.clock.now)).toBe(1);
    await h.worker.runDue();
    expect(receiver.received.map((r) => r.body.shiftId)).toEqual(['s1']);
  });

  it('a person missing from the directory is skipped, logged and put in one digest per interval', async () => {
    await start();
    await h.publish([shift('s1', 'p-nobody', T0), shift('s2', 'p-ahmed', T0)]);
    await h.run();
    await h.publish([shift('s1', 'p-nobody', T0 + H), shift('s2', 'p-ahmed', T0)]);
    await h.run();
    expect(receiver.received.map((r) => r.body.shiftId)).toEqual(['s2']);
    const skipped = await h.store.connectors.log('ops-hook', { limit: 10, outcomes: ['skipped'] });
    expect(skipped[0]).toMatchObject({ target: 'p-nobody', answer: 'is not in the directory' });
    const digests = await h.store.outbox.list({ channel: 'connector-digest' });
    expect(digests).toHaveLength(1);
  });
});
