/**
 * One patient's messages arriving on two instances are routed in the order they were stored: instance b
 * holds a patient's message while an earlier one about the same patient waits on instance a, routes the
 * other patients' meanwhile, and routes it once a has routed the earlier one.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessageInterpreter } from '../../src/routing/interpreter.ts';
import type { Store } from '../../src/store/port.ts';
import { postgresStores, type StoreFactory } from '../store/factories.ts';
import { rulesFreeRouter } from '../support/rules-free-router.ts';

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
    const router = rulesFreeRouter(b, [recorder]);
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
