import Fastify from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/port.ts';
import { wireOperations } from '../../src/wiring/operations.ts';

/** Readiness on its own: what a load balancer sees before the start ends, at a stop, and with a broken store. */
function wired(store: { durable: () => Promise<void>; nextTimerDue: () => Promise<unknown> }) {
  const ops = wireOperations({
    metrics: { enabled: false, host: '127.0.0.1' },
    operations: { quietMinutes: { default: 0, senders: {} } },
    store: { durable: store.durable, alerts: { nextTimerDue: store.nextTimerDue } } as unknown as Store,
    log: pino({ level: 'silent' }),
  });
  const app = Fastify();
  ops.routes(app);
  const ready = async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health/ready' });
    return { status: res.statusCode, body: res.json() as { status: string; reasons: string[] } };
  };
  return { ops, ready };
}

const healthyStore = { durable: async () => {}, nextTimerDue: async () => undefined };

describe('readiness', () => {
  it('is 503 until everything started, 200 then, and 503 again once a stop begins', async () => {
    const { ops, ready } = wired(healthyStore);
    expect(await ready()).toEqual({
      status: 503,
      body: { status: 'not-ready', reasons: ['not started, or stopping'] },
    });
    ops.started();
    expect((await ready()).status).toBe(200);
    await ops.stop();
    expect((await ready()).status).toBe(503);
  });

  it('is 503 naming the store when it cannot read or flush', async () => {
    const { ops, ready } = wired({
      durable: async () => {},
      nextTimerDue: async () => {
        throw new Error('The database connection is not open');
      },
    });
    ops.started();
    expect(await ready()).toEqual({
      status: 503,
      body: { status: 'not-ready', reasons: ['store: The database connection is not open'] },
    });
    const stuck = wired({ durable: () => new Promise(() => {}), nextTimerDue: async () => undefined });
    stuck.ops.started();
    expect((await stuck.ready()).body.reasons).toEqual(['store: no answer within 2000 ms']);
  });

  it('names each listener that is not listening', async () => {
    const { ops, ready } = wired(healthyStore);
    ops.watch({
      health: [
        { name: 'mllp', health: () => ({ state: 'failed', error: 'listen EADDRINUSE' }) },
        { name: 'smtp', health: () => ({ state: 'listening' }) },
        { name: 'schedule-sources', health: () => ({ state: 'stale' }) },
      ],
      backlog: () => 0,
      now: () => new Date(),
    });
    ops.started();
    expect((await ready()).body.reasons).toEqual(['mllp is failed: listen EADDRINUSE']);
  });
});
