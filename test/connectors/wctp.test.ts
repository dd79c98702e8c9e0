import { afterEach, describe, expect, it } from 'vitest';
import type { WctpOptions } from '../../src/connectors/wctp/index.ts';
import { TestWctpCarrier } from '../../src/delivery/paging/test-carriers.ts';
import {
  type ConnectorHospital,
  connectorHospital,
  connectorSettings,
  shift,
} from '../support/connectors.ts';

const T0 = Date.parse('2026-12-08T00:00:00Z'); // 19:00 on Mon 7 Dec in New York

describe('WCTP to a Spok/AMS-style platform', () => {
  let h: ConnectorHospital;
  let carrier: TestWctpCarrier;
  afterEach(async () => {
    await h?.close();
    await carrier?.close();
  });

  async function start() {
    carrier = await TestWctpCarrier.start();
    h = await connectorHospital(
      [
        connectorSettings<WctpOptions>({
          id: 'spok',
          kind: 'wctp',
          target: carrier.url,
          credentials: { securityCode: 'spok-code' },
          assignments: new Map([['hospitalist', ['ONCALL-HOSP']]]),
          options: { senderId: 'switchboard', timeoutMs: 5000 },
        }),
      ],
      { start: new Date(T0) },
    );
  }

  it('an on-call change is one SubmitRequest to the mapped recipient, in local time, naming who it was', async () => {
    await start();
    await h.publish([shift('s1', 'p-ahmed', T0)]);
    await h.run();
    await h.publish([shift('s1', 'p-castro', T0)]);
    await h.run();
    expect(carrier.pages.map((p) => p.recipient.recipientID)).toEqual(['ONCALL-HOSP']);
    const [page] = carrier.pages;
    expect(page.originator).toMatchObject({ senderID: 'switchboard', securityCode: 'spok-code' });
    expect(page.payload).toMatchObject({
      text: 'Hospitalist on call: Dr. Lucia Castro, Mon 7 Dec 19:00 until Tue 8 Dec 07:00 (was Dr. Samira Ahmed)',
    });
  });

  it('a carrier error (6xx) is retried with the same messageID; a refusal (4xx) is dead at once', async () => {
    await start();
    await h.run();
    carrier.failWith = 604;
    await h.publish([shift('s1', 'p-ahmed', T0)]);
    await h.run();
    const [pending] = await h.store.outbox.list({ state: 'pending', channel: 'connector:wctp' });
    expect(pending.lastError).toMatch(/refused: 604/);
    carrier.failWith = undefined;
    h.clock.now = new Date(T0 + 60_000);
    await h.worker.runDue();
    // The carrier saw the failed attempt and the retry: one messageID, so it can drop a repeat.
    expect(carrier.pages.map((p) => p.messageControl.messageID)).toEqual([
      `sb-${pending.id}`,
      `sb-${pending.id}`,
    ]);
    expect(await h.store.outbox.list({ state: 'sent', channel: 'connector:wctp' })).toHaveLength(1);
    carrier.failWith = 403;
    await h.publish([shift('s1', 'p-castro', T0)]);
    await h.run();
    const [dead] = await h.store.outbox.list({ state: 'dead', channel: 'connector:wctp' });
    expect(dead.lastError).toMatch(/refused: 403/);
  });
});
