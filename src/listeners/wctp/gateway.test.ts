import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { parseWctp } from '../../protocols/wctp/index.ts';
import type { InboundEvent } from '../../routing/inbound-port.ts';
import type { InboundMessage, MessageStore, SaveResult } from '../../store/port.ts';
import { WctpGateway } from './gateway.ts';
import type { WctpGatewayOptions } from './options.ts';
import { WctpSenders } from './senders.ts';

const limits = { maxFailures: 5, windowSeconds: 900, lockSeconds: 60, maxLockSeconds: 3600 };

const options: WctpGatewayOptions = {
  enabled: true,
  gatewayId: 'switchboard',
  maxBodyBytes: 262144,
  maxMessageLength: 2000,
  maxChoices: 8,
  maxRecipients: 50,
  pollIntervalSeconds: 5,
  maxQueuedPerSender: 1000,
  signIn: { sender: limits, address: limits },
  senders: [{ senderID: 'nursecall', securityCode: 'secret-1', transient: false }],
  push: { attempts: 6, firstRetrySeconds: 2, maxRetrySeconds: 300, timeoutSeconds: 10 },
};

function submit(messageID: string, text: string, originator = 'securityCode="secret-1"'): string {
  return `<?xml version="1.0"?>
<wctp-Operation wctpVersion="wctp-dtd-v1r3">
  <wctp-SubmitRequest>
    <wctp-SubmitHeader submitTimestamp="2026-11-22T14:30:00">
      <wctp-Originator senderID="nursecall" ${originator}/>
      <wctp-MessageControl messageID="${messageID}" notifyWhenDelivered="true"/>
      <wctp-Recipient recipientID="4W-401-A-water"/>
    </wctp-SubmitHeader>
    <wctp-Payload><wctp-Alphanumeric>${text}</wctp-Alphanumeric></wctp-Payload>
  </wctp-SubmitRequest>
</wctp-Operation>`;
}

const poll = `<?xml version="1.0"?>
<wctp-Operation wctpVersion="wctp-dtd-v1r3">
  <wctp-PollForMessages pollerID="nursecall" securityCode="secret-1"/>
</wctp-Operation>`;

/** A gateway over fakes; `flushed` says when the store's disk flush (durable) has been asked for. */
function gateway() {
  const stored: InboundMessage[] = [];
  const accepted: InboundEvent[] = [];
  let release: () => void = () => {};
  const onDisk = new Promise<void>((r) => {
    release = r;
  });
  const store = {
    // Committed at once (onCommitted), on the disk when the test releases it.
    saveInbound: vi.fn(async (m: InboundMessage, onCommitted?: (saved: SaveResult) => void) => {
      stored.push(m);
      const repeat = stored.findIndex((s) => s.controlId === m.controlId) + 1;
      const saved = { id: repeat, duplicate: repeat < stored.length };
      onCommitted?.(saved);
      await onDisk;
      return saved;
    }),
  } as unknown as MessageStore;
  const durable = vi.fn(async () => {});
  const poll = vi.fn(async () => []);
  const gw = new WctpGateway({
    options,
    senders: new WctpSenders(options.senders, async () => false),
    knowsRecipient: () => true,
    store,
    inbound: { accept: (e) => accepted.push(e) },
    outbox: { poll, takeForClient: async () => [] },
    durable,
    now: () => new Date('2026-11-22T14:30:05Z'),
    log: pino({ level: 'silent' }),
  });
  return { gw, stored, accepted, durable, poll, release };
}

describe('WCTP gateway: what it hands to routing and when it answers', () => {
  it('confirms a SubmitRequest only once its own write is on the disk, without a second flush', async () => {
    const { gw, durable, release } = gateway();
    let answered = false;
    const answer = gw.handle(submit('m-1', 'water'), 'text/xml', '127.0.0.1:5000').then((a) => {
      answered = true;
      return a;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toBe(false);
    release();
    expect(await answer).toContain('successCode="200"');
    expect(durable).not.toHaveBeenCalled();
  });

  it('hands the message to routing at its commit, during the flush, once; a repeat not at all', async () => {
    const { gw, accepted, release } = gateway();
    const answer = gw.handle(submit('m-4', 'water'), 'text/xml', '127.0.0.1:5000');
    await new Promise((r) => setTimeout(r, 20));
    expect(accepted.map((e) => e.messageId)).toEqual([1]);
    release();
    expect(await answer).toContain('successCode="200"');
    const again = await gw.handle(submit('m-4', 'water'), 'text/xml', '127.0.0.1:5000');
    expect(again).toContain('already accepted');
    expect(accepted).toHaveLength(1);
  });

  it('hands routing the request as it reads from the stored text, secrets blanked', async () => {
    const { gw, stored, accepted, release } = gateway();
    release();
    await gw.handle(submit('m-2', 'Rm 401 Bed A: water'), 'text/xml', '127.0.0.1:5000');
    const raw = stored[0]!.raw.toString('utf8');
    expect(raw).not.toContain('secret-1');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.raw.toString('utf8')).toBe(raw);
    expect(accepted[0]!.read).toEqual(parseWctp(raw));
    expect(JSON.stringify(accepted[0]!.read)).not.toContain('secret-1');
  });

  it('hands over nothing parsed when secret-like text stood outside the originator: routing reads the store', async () => {
    const { gw, stored, accepted, release } = gateway();
    release();
    await gw.handle(submit('m-3', 'call back securityCode="1234"'), 'text/xml', '127.0.0.1:5000');
    expect(stored[0]!.raw.toString('utf8')).toContain('call back securityCode="(hidden)"');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.read).toBeUndefined();
  });

  it('answers a PollForMessages only after what it cleared is on the disk', async () => {
    const { gw, durable, poll: collect } = gateway();
    let flushed: () => void = () => {};
    durable.mockImplementation(() => new Promise<void>((r) => (flushed = r)));
    let answered = false;
    const answer = gw.handle(poll, 'text/xml', '127.0.0.1:5000').then((a) => {
      answered = true;
      return a;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(collect).toHaveBeenCalledTimes(1);
    expect(durable).toHaveBeenCalledTimes(1);
    expect(durable.mock.invocationCallOrder[0]!).toBeGreaterThan(collect.mock.invocationCallOrder[0]!);
    expect(answered).toBe(false);
    flushed();
    expect(await answer).toContain('wctp-PollResponse');
  });
});
