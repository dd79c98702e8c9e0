import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { buildConfirmation, parseWctp, wctpFailure, wctpSuccess } from '../../protocols/wctp/index.ts';
import type { WctpOrigin } from '../../routing/sources/wctp/back-channel.ts';
import { type Timers, WctpOutbox, type WctpPost } from './outbox.ts';
import { WctpSenders } from './senders.ts';

/** Timers run by hand: `fire()` runs whatever is due, in order, and says how long each waited. */
class HandTimers implements Timers {
  pending: Array<{ fn: () => void; ms: number }> = [];
  set(fn: () => void, ms: number) {
    const t = { fn, ms };
    this.pending.push(t);
    return t;
  }
  clear(handle: unknown) {
    this.pending = this.pending.filter((t) => t !== handle);
  }
  fire(): number[] {
    const due = this.pending.splice(0);
    for (const t of due) t.fn();
    return due.map((t) => t.ms);
  }
}

const origin: WctpOrigin = {
  senderID: 'nc',
  recipientID: '4W-401-A',
  messageID: 'M1',
  transactionID: 'T1',
  sendResponsesToID: 'http://nc.example/wctp',
  notifyWhenDelivered: true,
  notifyWhenRead: false,
  allowResponse: true,
  deliveryPriority: 'NORMAL',
};

function outbox(post: WctpPost, attempts = 3) {
  const timers = new HandTimers();
  const events: string[] = [];
  const box = new WctpOutbox({
    gatewayId: 'sb',
    push: { attempts, firstRetrySeconds: 2, maxRetrySeconds: 3, timeoutSeconds: 1 },
    maxQueuedPerSender: 10,
    post,
    timers,
    now: () => new Date('2026-11-22T14:30:00Z'),
    record: async (alertId, kind, _p, detail) => {
      events.push(`${alertId} ${kind} ${detail}`);
    },
    log: pino({ level: 'silent' }),
  });
  return { box, timers, events };
}

describe('WCTP outbox', () => {
  it('pushes a StatusInfo the sender confirms, once', async () => {
    const sent: string[] = [];
    const { box, events } = outbox(async (_url, xml) => {
      sent.push(xml);
      return { status: 200, body: buildConfirmation(wctpSuccess()) };
    });
    box.send(origin, { kind: 'status', type: 'DELIVERED' }, { alertId: 7 });
    await box.settled();
    expect(sent).toHaveLength(1);
    expect(parseWctp(sent[0]!)).toMatchObject({
      operation: 'StatusInfo',
      responseToMessageID: 'M1',
      responseTimestamp: '2026-11-22T14:30:00',
      messageControl: { transactionID: 'T1' },
      recipient: { recipientID: 'nc' },
      status: { type: 'DELIVERED' },
    });
    expect(events).toEqual(['7 wctp wctp-StatusInfo pushed to nc']);
  });

  it('retries network errors and 6xx with doubling waits (capped), then dead-letters to the timeline and the poll queue', async () => {
    let calls = 0;
    const { box, timers, events } = outbox(async () => {
      calls++;
      if (calls === 1) throw new Error('connect ECONNREFUSED');
      return { status: 200, body: buildConfirmation(wctpFailure(605)) };
    }, 4);
    box.send(
      origin,
      { kind: 'reply', text: 'Accept', mcrMessageReply: true },
      { alertId: 8, personId: 'rn' },
    );
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await box.settled();
      waits.push(...timers.fire());
    }
    await box.settled();
    expect(calls).toBe(4);
    expect(waits).toEqual([2000, 3000, 3000]);
    expect(events).toEqual([
      expect.stringMatching(
        /^8 failed wctp-MessageReply to nc not delivered after 4 attempt\(s\): wctp-Failure 605/,
      ),
    ]);
    const polled = box.poll('NC', [], 5);
    expect(polled.map((p) => p.message.operation)).toEqual(['MessageReply']);
  });

  it('a permanent refusal (4xx) is not retried', async () => {
    let calls = 0;
    const { box, timers, events } = outbox(async () => {
      calls++;
      return { status: 200, body: buildConfirmation(wctpFailure(403)) };
    });
    box.send(origin, { kind: 'status', type: 'READ' }, { alertId: 9 });
    await box.settled();
    expect(timers.pending).toHaveLength(0);
    expect(calls).toBe(1);
    expect(events[0]).toMatch(/^9 failed .*after 1 attempt/);
  });

  it('without an http(s) address the notices wait for a poll, until the poller confirms them', () => {
    const { box } = outbox(async () => ({ status: 500, body: '' }));
    const polling = { ...origin, sendResponsesToID: 'nc-poller' };
    box.send(polling, { kind: 'status', type: 'DELIVERED' }, { alertId: 1 });
    box.send(polling, { kind: 'status', type: 'READ' }, { alertId: 1 });
    const first = box.poll('nc', [], 1);
    expect(first).toHaveLength(1);
    const all = box.poll('nc', [], 10);
    expect(all.map((m) => m.sequenceNo)).toEqual([first[0]!.sequenceNo, expect.any(String)]);
    const received = all.map((m) => ({ sequenceNo: m.sequenceNo, result: wctpSuccess() }));
    expect(box.poll('nc', received, 10)).toEqual([]);
  });

  it("keeps a transient client's notices under its tracking number, handed over once", () => {
    const { box } = outbox(async () => ({ status: 500, body: '' }));
    box.send(
      { ...origin, trackingNumber: '42' },
      { kind: 'reply', text: 'ok', mcrMessageReply: false },
      { alertId: 1 },
    );
    expect(box.takeForClient('42')).toMatchObject([{ kind: 'reply', payload: { text: 'ok' } }]);
    expect(box.takeForClient('42')).toEqual([]);
  });
});

describe('WCTP senders', () => {
  it('checks codes; a hashed code is verified once, then remembered', async () => {
    let verifications = 0;
    const senders = new WctpSenders(
      [
        { senderID: 'NC', securityCode: 'plain', transient: false },
        { senderID: 'tele', securityCodeHash: 'scrypt$fake', transient: false },
        { senderID: 'web', securityCode: 'pw', transient: true },
      ],
      async (secret) => {
        verifications++;
        return secret === 'hashed';
      },
    );
    expect(await senders.check('nc', 'plain')).toMatchObject({ ok: true });
    expect(await senders.check('nc', 'nope')).toMatchObject({ ok: false, code: 402 });
    expect(await senders.check('nc', undefined)).toMatchObject({ ok: false, code: 402 });
    expect(await senders.check('who', 'plain')).toMatchObject({ ok: false, code: 401 });
    expect(await senders.check('who', 'x', { badSecretCode: 432 })).toMatchObject({ ok: false, code: 432 });
    expect(await senders.check('web', 'pw')).toMatchObject({ ok: false, code: 401 }); // transient only
    expect(await senders.check('web', 'pw', { transient: true })).toMatchObject({ ok: true });
    expect(await senders.check('tele', 'hashed')).toMatchObject({ ok: true });
    expect(await senders.check('tele', 'hashed')).toMatchObject({ ok: true });
    expect(await senders.check('tele', 'other')).toMatchObject({ ok: false, code: 402 });
    expect(verifications).toBe(2);
  });
});
