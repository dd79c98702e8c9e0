import { describe, expect, it } from 'vitest';
import { OperationsView } from '../../src/api/operations/operations-view.ts';
import type { AlertStore } from '../../src/store/alert-port.ts';
import type { Delivery, OutboxQuery, OutboxStore } from '../../src/store/outbox-port.ts';
import type { MessageQuery, MessageStore } from '../../src/store/port.ts';

const NOW = new Date('2026-03-08T12:00:00Z');

function delivery(channel: string, state: Delivery['state'], attempts: number): Delivery {
  return { channel, state, attempts } as Delivery;
}

/** The store as the view reads it: only the calls it makes, answering from fixed rows. */
function view(options: { nextStep?: Date; deliveries?: Delivery[] } = {}) {
  const messages = {
    list: async (q: MessageQuery) => {
      if (q.limit === 1)
        return { items: [], total: q.status === 'routed' ? 7 : q.status === 'failed' ? 1 : 0 };
      return {
        items: [100, 40, 250].map((ms) => ({
          receivedAt: new Date(NOW.getTime() - 60_000),
          updatedAt: new Date(NOW.getTime() - 60_000 + ms),
        })),
        total: 3,
      };
    },
  } as unknown as MessageStore;
  const alerts = {
    list: async (q: { status: string }) => (q.status === 'open' ? [{}, {}] : [{}]),
    nextTimerDue: async () => options.nextStep,
  } as unknown as AlertStore;
  const outbox = {
    list: async (q: OutboxQuery) => (options.deliveries ?? []).filter((d) => d.state === q.state),
  } as unknown as OutboxStore;
  return new OperationsView({
    listeners: [
      { name: 'mllp', health: () => ({ state: 'listening', connections: 3 }) },
      { name: 'sip', health: () => ({ state: 'failed', error: 'EADDRINUSE' }) },
      {
        name: 'schedule-sources',
        health: () => ({
          state: 'stale',
          sources: [
            {
              id: 'amion',
              state: 'stale',
              lastSuccessAt: new Date(NOW.getTime() - 7200_000),
              lastError: 'timeout',
            },
            { id: 'qgenda', state: 'ok', lastSuccessAt: null, lastError: null },
          ],
        }),
      },
    ],
    backlog: () => 12,
    messages,
    alerts,
    outbox,
    now: () => NOW,
  });
}

describe('operations view', () => {
  it('splits the outbox per channel into queued, retrying (tried before) and dead', async () => {
    const s = await view({
      deliveries: [
        delivery('page', 'pending', 0),
        delivery('page', 'pending', 2),
        delivery('page', 'dead', 5),
        delivery('connector:graph', 'pending', 0),
        delivery('connector:graph', 'pending', 0),
      ],
    }).snapshot();
    expect(s.outbox).toEqual([
      { channel: 'connector:graph', queued: 2, retrying: 0, dead: 0 },
      { channel: 'page', queued: 1, retrying: 1, dead: 1 },
    ]);
    expect(s.outboxCapped).toBe(false);
  });

  it('routing counts and times, alerts, escalation lateness past the cycle slack', async () => {
    const late = await view({ nextStep: new Date(NOW.getTime() - 90_000) }).snapshot();
    expect(late.routing).toEqual({
      backlog: 12,
      lastDay: { received: 0, routed: 7, filtered: 0, unrouted: 0, failed: 1 },
      routeP50Ms: 100,
      routeP99Ms: 250,
    });
    expect(late.alerts).toEqual({ open: 2, acknowledged: 1, escalationLatenessSeconds: 90 });
    // A step a second or two past its time is the cycle's ordinary wait, not lateness.
    const onTime = await view({ nextStep: new Date(NOW.getTime() - 2000) }).snapshot();
    expect(onTime.alerts.escalationLatenessSeconds).toBe(0);
  });

  it('listeners up or down, and the scheduling sources with their age', async () => {
    const s = await view().snapshot();
    expect(s.listeners).toEqual([
      { name: 'mllp', up: true, state: 'listening', connections: 3, error: undefined },
      { name: 'sip', up: false, state: 'failed', connections: null, error: 'EADDRINUSE' },
    ]);
    expect(s.scheduleSources).toEqual([
      {
        id: 'amion',
        state: 'stale',
        lastSuccessAt: '2026-03-08T10:00:00.000Z',
        sinceSuccessSeconds: 7200,
        lastError: 'timeout',
      },
      { id: 'qgenda', state: 'ok', lastSuccessAt: null, sinceSuccessSeconds: null, lastError: null },
    ]);
  });
});
