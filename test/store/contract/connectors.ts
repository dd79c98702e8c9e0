import { describe, expect } from 'vitest';
import type { ConnectorJob } from '../../../src/store/connector-port.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

const t0 = new Date('2026-11-22T12:00:00Z');

const job = (shift: string, version: number): ConnectorJob => ({
  channel: 'connector:webhook',
  target: `epic-ocf:${shift}`,
  payload: { shift, version },
  alertId: null,
  coalesceKey: `epic-ocf:${shift}`,
});

/** What every connector store does (store/connector-port.ts), run against each adapter. */
export function connectorsContract(makeStores: () => StoreFactory): void {
  describe(`connector store (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('moves the cursor only from where it is, with its jobs and state, and a newer job replaces a pending one', async ({
      store,
    }) => {
      expect(await store.connectors.cursor('epic-ocf')).toBeUndefined();
      const first = {
        connectorId: 'epic-ocf',
        from: 0,
        to: 5,
        jobs: [job('s1', 1)],
        state: [{ key: 'shift:s1', value: { v: 1 } }],
      };
      expect(await store.connectors.advance(first, t0)).toBe(true);
      // A second runner with the same starting point writes nothing.
      expect(await store.connectors.advance({ ...first, jobs: [job('s2', 1)] }, t0)).toBe(false);
      expect(await store.connectors.cursor('epic-ocf')).toBe(5);
      expect(
        await store.connectors.advance(
          {
            connectorId: 'epic-ocf',
            from: 5,
            to: 9,
            jobs: [job('s1', 2)],
            state: [{ key: 'shift:s1', value: null }],
          },
          t0,
        ),
      ).toBe(true);
      const pending = await store.outbox.list({ state: 'pending' });
      expect(pending.map((d) => d.payload)).toEqual([{ shift: 's1', version: 2 }]);
      expect(await store.connectors.state('epic-ocf', 'shift:s1')).toBeUndefined();
      expect(await store.connectors.enqueue([job('s3', 1)], t0)).toBe(1);
      await store.connectors.resetCursor('epic-ocf', 2);
      expect(await store.connectors.cursor('epic-ocf')).toBe(2);
    });

    it('keeps state by key and lists it by prefix', async ({ store }) => {
      await store.connectors.putState('cal', [
        { key: 'person:a', value: { etag: '1' } },
        { key: 'person:b', value: 2 },
        { key: 'personal', value: 3 },
        { key: 'shift:x', value: 4 },
      ]);
      await store.connectors.putState('other', [{ key: 'person:a', value: 9 }]);
      expect((await store.connectors.states('cal', 'person:')).map((e) => e.key)).toEqual([
        'person:a',
        'person:b',
      ]);
      expect(await store.connectors.state('cal', 'person:a')).toEqual({ etag: '1' });
    });

    it('logs deliveries newest first, by time and outcome, and re-drives its dead jobs only', async ({
      store,
    }) => {
      const at = (s: number) => new Date(t0.getTime() + s * 1000);
      await store.connectors.record([
        {
          connectorId: 'cal',
          deliveryId: 1,
          at: at(1),
          outcome: 'sent',
          target: 'cal:a',
          summary: 'ok',
          answer: '200',
        },
        {
          connectorId: 'cal',
          deliveryId: 2,
          at: at(2),
          outcome: 'dead',
          target: 'cal:b',
          summary: 'gone',
          answer: '410',
        },
        {
          connectorId: 'other',
          deliveryId: 3,
          at: at(3),
          outcome: 'dead',
          target: 'other:c',
          summary: 'x',
          answer: null,
        },
      ]);
      expect((await store.connectors.log('cal', { limit: 10 })).map((e) => e.deliveryId)).toEqual([2, 1]);
      expect(
        (await store.connectors.log('cal', { limit: 10, outcomes: ['sent'] })).map((e) => e.deliveryId),
      ).toEqual([1]);
      expect(
        (await store.connectors.log('cal', { limit: 10, since: at(2) })).map((e) => e.deliveryId),
      ).toEqual([2]);
      const [a, b, c] = await store.outbox.add(
        [
          { channel: 'connector:webhook', target: 'cal:x', payload: {}, alertId: null },
          { channel: 'connector:webhook', target: 'calendar:y', payload: {}, alertId: null },
          { channel: 'page', target: 'cal:z', payload: {}, alertId: null },
        ],
        t0,
      );
      for (const d of [a, b, c]) await store.outbox.markDead(d.id, 'no', t0);
      expect(await store.connectors.redrive('cal', 'all', at(10))).toBe(1);
      expect((await store.outbox.get(a.id))?.state).toBe('pending');
      expect(await store.connectors.redrive('cal', [b.id, c.id], at(10))).toBe(0);
    });

    it('keeps feed tokens until revoked', async ({ store }) => {
      await store.connectors.addFeedToken({
        tokenHash: 'h1',
        connectorId: 'ical',
        kind: 'person',
        id: 'p-one',
        createdAt: t0,
      });
      await store.connectors.addFeedToken({
        tokenHash: 'h2',
        connectorId: 'ical',
        kind: 'assignment',
        id: 'icu',
        createdAt: t0,
      });
      expect(await store.connectors.feedByToken('h1')).toMatchObject({
        kind: 'person',
        id: 'p-one',
        revokedAt: null,
      });
      expect(await store.connectors.revokeFeedToken('h1', t0)).toBe(true);
      expect(await store.connectors.revokeFeedToken('h1', t0)).toBe(false);
      expect(await store.connectors.feedByToken('h1')).toBeUndefined();
      expect((await store.connectors.feedTokens('ical')).map((t) => [t.id, t.revokedAt !== null])).toEqual([
        ['icu', false],
        ['p-one', true],
      ]);
    });
  });
}
