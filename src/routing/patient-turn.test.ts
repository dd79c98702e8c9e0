/**
 * RoutingQueue with a PatientTurn: a message whose patient has an earlier message another instance has not
 * routed waits for it, without holding up other patients, and keeps its own patient's later messages
 * behind it.
 */
import { describe, expect, it } from 'vitest';
import { type PatientTurn, type RouterPacing, RoutingQueue } from './routing-queue.ts';

const pacing: RouterPacing = {
  maxInFlight: 1,
  perTurn: 8,
  burstPerSecond: 1_000_000,
  burstPerTurn: 8,
  burstShare: 0.5,
  maxQueuedBytesHeld: 1000,
  maxBacklog: 0,
};

/** An HL7 message about `mrn`, as the listener hands it over. */
const hl7 = (messageId: number, mrn: string) => ({
  messageId,
  listener: 'adt',
  raw: Buffer.from(`MSH|^~\\&|EPIC|H|SB|H|20261207||ADT^A02|C${messageId}|P|2.5\rPID|1||${mrn}^^^H^MR\r`),
});

/** A turn that keeps `held` messages waiting until `release` is called for them. */
function turnHolding(held: number[], maxWaitMs = 60_000) {
  const waitingFor = new Set(held);
  const gaveUp: number[] = [];
  const turn: PatientTurn = {
    waiting: async (id) => waitingFor.has(id),
    maxWaitMs,
    gaveUp: (id) => gaveUp.push(id),
  };
  return { turn, gaveUp, release: (id: number) => waitingFor.delete(id) };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
};

describe('the order of a patient across instances', () => {
  it('parks a message whose patient waits elsewhere; other patients go on, its later messages wait', async () => {
    const routed: number[] = [];
    const { turn, release } = turnHolding([1]);
    const queue = new RoutingQueue(pacing, async (q) => void routed.push(q.messageId), turn);
    queue.add(hl7(1, 'M1'), {});
    queue.add(hl7(2, 'M1'), {});
    queue.add(hl7(3, 'M2'), {});
    // Only one in flight at a time, yet the other patient's message is routed while 1 waits.
    await until(() => routed.includes(3));
    expect(routed).toEqual([3]);
    expect(queue.backlog).toBe(2);
    release(1);
    await queue.drained();
    expect(routed).toEqual([3, 1, 2]);
  });

  it('routes a message that waited too long, and says so', async () => {
    const routed: number[] = [];
    const { turn, gaveUp } = turnHolding([1], 50);
    const queue = new RoutingQueue(pacing, async (q) => void routed.push(q.messageId), turn);
    queue.add(hl7(1, 'M1'), {});
    await queue.drained();
    expect(routed).toEqual([1]);
    expect(gaveUp).toEqual([1]);
  });

  it('routes the message when the look fails: an alert matters more than the order', async () => {
    const routed: number[] = [];
    const turn: PatientTurn = {
      waiting: async () => {
        throw new Error('connection lost');
      },
      maxWaitMs: 60_000,
      gaveUp: () => {},
    };
    const queue = new RoutingQueue(pacing, async (q) => void routed.push(q.messageId), turn);
    queue.add(hl7(1, 'M1'), {});
    await queue.drained();
    expect(routed).toEqual([1]);
  });

  it('does not park a message routed alone, which would hold every other message back', async () => {
    const routed: number[] = [];
    const { turn } = turnHolding([1]);
    const queue = new RoutingQueue(pacing, async (q) => void routed.push(q.messageId), turn);
    queue.add(hl7(1, 'M1'), { recovered: true, alone: true });
    queue.add(hl7(2, 'M2'), {});
    await queue.drained();
    expect(routed).toEqual([1, 2]);
  });

  it('leaves a waiting message in the store when the queue is cleared (a stop)', async () => {
    const routed: number[] = [];
    const { turn } = turnHolding([1]);
    const queue = new RoutingQueue(pacing, async (q) => void routed.push(q.messageId), turn);
    queue.add(hl7(1, 'M1'), {});
    queue.add(hl7(2, 'M1'), {});
    await until(() => queue.backlog === 2);
    await queue.clear();
    expect(routed).toEqual([]);
    expect(queue.backlog).toBe(0);
  });
});
