/**
 * One patient's messages arriving on two instances are routed in the order they were stored: instance b
 * holds a patient's message while an earlier one about the same patient waits on instance a, routes the
 * other patients' meanwhile, and routes it once a has routed the earlier one.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_HL7_LIMITS } from '../../src/protocols/hl7/index.ts';
import type { AlertService } from '../../src/routing/alerts.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import type { MessageInterpreter } from '../../src/routing/interpreter.ts';
import { Router } from '../../src/routing/router.ts';
import type { RuleSet } from '../../src/routing/rules/rule-set.ts';
import type { Store } from '../../src/store/port.ts';
import { postgresStores, type StoreFactory } from '../store/factories.ts';

const adt = (controlId: string, mrn: string) =>
  Buffer.from(
    `MSH|^~\\&|EPIC|RGH|SB|RGH|20261207083000||ADT^A02|${controlId}|P|2.5.1\rPID|1||${mrn}^^^RGH^MR||DOE^JANE\r`,
  );

async function save(store: Store, controlId: string, mrn: string, listener = 'adt'): Promise<number> {
  const saved = await store.messages.saveInbound({
    listener,
    peer: '127.0.0.1:1',
    sendingApplication: 'EPIC',
    sendingFacility: 'RGH',
    receivingApplication: 'SB',
    receivingFacility: 'RGH',
    messageType: 'ADT',
    triggerEvent: 'A02',
    controlId,
    receivedAt: new Date(),
    raw: adt(controlId, mrn),
  });
  return saved.id;
}

describe('a patient across instances', () => {
  let stores: StoreFactory;
  let a: Store;
  let b: Store;
  beforeEach(async () => {
    stores = postgresStores();
    a = await stores.open();
    b = await stores.open();
  });
  afterEach(async () => {
    await stores.cleanup();
  });

  it('knows when an earlier message about the same patient waits on another instance', async () => {
    const first = await save(a, 'A1', 'MRN-7');
    const second = await save(b, 'B1', 'MRN-7');
    const otherPatient = await save(b, 'B2', 'MRN-8');
    const otherListener = await save(b, 'B3', 'MRN-7', 'lab');
    const ownLater = await save(a, 'A2', 'MRN-7');
    expect(await b.messages.earlierElsewhere?.(second)).toBe(true);
    expect(await b.messages.earlierElsewhere?.(otherPatient)).toBe(false);
    expect(await b.messages.earlierElsewhere?.(otherListener)).toBe(false);
    // a's own order is its queue's; and the first has nothing before it.
    expect(await a.messages.earlierElsewhere?.(first)).toBe(false);
    expect(await a.messages.earlierElsewhere?.(ownLater)).toBe(true);
    await a.messages.setStatus(first, 'routed', 'census');
    expect(await b.messages.earlierElsewhere?.(second)).toBe(false);
  });

  it("routes a patient's message on b only after a has routed the earlier one; others go on", async () => {
    const routedOnB: string[] = [];
    const recorder: MessageInterpreter = {
      name: 'test',
      async interpret(_event, message) {
        routedOnB.push(message?.header.controlId ?? '');
        return { status: 'routed', detail: 'census' };
      },
    };
    const router = new Router(
      {
        messages: b.messages,
        alerts: b.alerts,
        service: {} as AlertService,
        rules: () => ({ evaluate: () => [] }) as unknown as RuleSet,
        interpreters: [recorder],
        limits: DEFAULT_HL7_LIMITS,
        guard: { budgetMs: 5000, maxAttempts: 2 },
        clock: new ManualClock('2026-12-07T08:30:00Z'),
        log: pino({ level: 'silent' }),
      },
      {
        maxInFlight: 8,
        perTurn: 8,
        burstPerSecond: 10_000,
        burstPerTurn: 1,
        burstShare: 0.5,
        maxQueuedBytesHeld: 100,
      },
    );
    const onA = await save(a, 'A1', 'MRN-7');
    for (const [id, mrn] of [
      ['B1', 'MRN-7'],
      ['B2', 'MRN-8'],
      ['B3', 'MRN-7'],
    ]) {
      router.accept({ messageId: await save(b, id, mrn), listener: 'adt', raw: adt(id, mrn) });
    }
    // The other patient's message goes through while MRN-7's wait for a.
    while (!routedOnB.includes('B2')) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
    expect(routedOnB).toEqual(['B2']);
    await a.messages.setStatus(onA, 'routed', 'census');
    await router.drained();
    expect(routedOnB).toEqual(['B2', 'B1', 'B3']);
  });
});
