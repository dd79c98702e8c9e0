import { describe, expect, it } from 'vitest';
import { FakeTimers } from '../../../test/support/fake-timers.ts';
import { collected } from '../../../test/support/reachability.ts';
import { buildResponse } from './build.ts';
import type { ClientTransactionUser } from './client-invite-transaction.ts';
import type { SipMessage, SipRequest, SipResponse } from './message.ts';
import { parseMessage } from './parser.ts';
import { serializeMessage } from './serializer.ts';
import { NO_USER } from './server-invite-transaction.ts';
import type { Resend, TransactionChannel, TransactionEvent } from './transaction.ts';
import { type ServerTransaction, TransactionLayer } from './transaction-layer.ts';

function request(method: string, branch = 'z9hG4bKtx1', cseq = 1, extra = ''): SipRequest {
  return parseMessage(
    Buffer.from(
      `${method} sip:bed9@example.org SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5060;branch=${branch}\r\n` +
        `Max-Forwards: 70\r\nTo: <sip:bed9@example.org>\r\nFrom: <sip:desk@example.org>;tag=f1\r\n` +
        `Call-ID: tx-test\r\nCSeq: ${cseq} ${method}\r\n${extra}Content-Length: 0\r\n\r\n`,
    ),
  ) as SipRequest;
}

function response(req: SipRequest, status: number, toTag = 'u1'): SipResponse {
  return buildResponse(req, status, { toTag });
}

/** A channel that records what is sent and when (fake time). */
class RecordingChannel implements TransactionChannel {
  sent: { at: number; message: SipMessage }[] = [];
  failing = false;
  constructor(
    readonly reliable: boolean,
    private readonly timers: FakeTimers,
  ) {}
  send(message: SipMessage): Resend {
    const send = () => {
      if (this.failing) throw new Error('ECONNRESET');
      this.sent.push({ at: this.timers.now, message });
    };
    send();
    return send;
  }
  times(filter: (m: SipMessage) => boolean = () => true): number[] {
    return this.sent.filter((s) => filter(s.message)).map((s) => s.at);
  }
}

class RecordingUser implements ClientTransactionUser {
  responses: number[] = [];
  timeouts = 0;
  errors: unknown[] = [];
  response(r: SipResponse): void {
    this.responses.push(r.status);
  }
  timeout(): void {
    this.timeouts++;
  }
  transportError(e: unknown): void {
    this.errors.push(e);
  }
}

function setup(reliable = false) {
  const timers = new FakeTimers();
  const channel = new RecordingChannel(reliable, timers);
  const incoming: { request: SipRequest; tx: ServerTransaction }[] = [];
  const strays: SipMessage[] = [];
  const layer = new TransactionLayer({
    timers,
    keepHistory: true,
    onRequest: (req, tx) => incoming.push({ request: req, tx }),
    onStrayAck: (ack) => strays.push(ack),
    onStrayResponse: (res) => strays.push(res),
  });
  return { timers, channel, layer, incoming, strays, user: new RecordingUser() };
}

const states = (tx: { history: readonly TransactionEvent[] }) =>
  tx.history.flatMap((e) => ('state' in e ? [e.state] : []));

describe('INVITE client transaction (RFC 3261 17.1.1, RFC 6026)', () => {
  it('retransmits with Timer A doubling from T1 and times out with Timer B at 64*T1', () => {
    const { timers, channel, layer, user } = setup();
    const tx = layer.sendRequest(request('INVITE'), channel, user);
    timers.advance(40_000);
    expect(channel.times()).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(user.timeouts).toBe(1);
    expect(states(tx)).toEqual(['calling', 'terminated']);
    expect(layer.size.clients).toBe(0);
  });

  it('stops retransmitting on a provisional response, ACKs a failure itself and absorbs its retransmission', () => {
    const { timers, channel, layer, user } = setup();
    const invite = request('INVITE');
    const tx = layer.sendRequest(invite, channel, user);
    timers.advance(600);
    layer.receiveResponse(response(invite, 180));
    timers.advance(10_000);
    expect(channel.times()).toEqual([0, 500]);
    layer.receiveResponse(response(invite, 486));
    layer.receiveResponse(response(invite, 486));
    expect(user.responses).toEqual([180, 486]);
    const acks = channel.sent.filter((s) => s.message.kind === 'request' && s.message.method === 'ACK');
    expect(acks).toHaveLength(2);
    const ack = acks[0]!.message as SipRequest;
    expect(ack.cseq).toEqual({ seq: 1, method: 'ACK' });
    expect(ack.to.params.get('tag')).toBe('u1');
    expect(ack.via).toHaveLength(1);
    expect(ack.via[0]!.params.get('branch')).toBe(invite.via[0]!.params.get('branch'));
    expect(ack.uri).toEqual(invite.uri);
    timers.advance(31_999);
    expect(tx.state).toBe('completed');
    timers.advance(1);
    expect(states(tx)).toEqual(['calling', 'proceeding', 'completed', 'terminated']);
  });

  it('passes every 2xx to the TU in Accepted until Timer M', () => {
    const { timers, channel, layer, user, strays } = setup();
    const invite = request('INVITE');
    const tx = layer.sendRequest(invite, channel, user);
    layer.receiveResponse(response(invite, 200));
    layer.receiveResponse(response(invite, 200));
    expect(user.responses).toEqual([200, 200]);
    expect(tx.state).toBe('accepted');
    timers.advance(32_000);
    expect(tx.state).toBe('terminated');
    layer.receiveResponse(response(invite, 200));
    expect(strays).toHaveLength(1);
    // No ACK from the transaction for a 2xx: the TU sends it.
    expect(
      channel.sent.filter((s) => s.message.kind === 'request' && s.message.method === 'ACK'),
    ).toHaveLength(0);
  });

  it('does not retransmit on a reliable transport and ends Completed at once (Timer D = 0)', () => {
    const { timers, channel, layer, user } = setup(true);
    const invite = request('INVITE');
    const tx = layer.sendRequest(invite, channel, user);
    timers.advance(20_000);
    expect(channel.times()).toEqual([0]);
    layer.receiveResponse(response(invite, 603));
    timers.advance(0);
    expect(states(tx)).toEqual(['calling', 'completed', 'terminated']);
  });

  it('reports a transport error and terminates', () => {
    const { channel, layer, user } = setup();
    channel.failing = true;
    const tx = layer.sendRequest(request('INVITE'), channel, user);
    expect(user.errors).toHaveLength(1);
    expect(tx.state).toBe('terminated');
  });

  it('gives a request without an RFC 3261 branch a fresh one', () => {
    const { channel, layer, user } = setup();
    const invite = request('INVITE', 'oldstyle');
    layer.sendRequest(invite, channel, user);
    expect(invite.via[0]!.params.get('branch')).toMatch(/^z9hG4bK.{16}$/);
  });
});

describe('non-INVITE client transaction (RFC 3261 17.1.2)', () => {
  it('retransmits with Timer E doubling up to T2 and times out with Timer F', () => {
    const { timers, channel, layer, user } = setup();
    layer.sendRequest(request('OPTIONS'), channel, user);
    timers.advance(40_000);
    expect(channel.times()).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(user.timeouts).toBe(1);
  });

  it('retransmits every T2 once Proceeding, then waits Timer K = T4 in Completed', () => {
    const { timers, channel, layer, user } = setup();
    const bye = request('BYE');
    const tx = layer.sendRequest(bye, channel, user);
    timers.advance(600); // one retransmission at 500
    layer.receiveResponse(response(bye, 100));
    timers.advance(9_000); // E still fires at 1500 (armed before the 100), then every T2
    expect(channel.times()).toEqual([0, 500, 1500, 5500, 9500]);
    layer.receiveResponse(response(bye, 200));
    layer.receiveResponse(response(bye, 200));
    expect(user.responses).toEqual([100, 200]);
    timers.advance(4_999);
    expect(tx.state).toBe('completed');
    timers.advance(1);
    expect(states(tx)).toEqual(['trying', 'proceeding', 'completed', 'terminated']);
  });

  it('over a reliable transport sends once and terminates right after the final response', () => {
    const { timers, channel, layer, user } = setup(true);
    const reg = request('REGISTER');
    const tx = layer.sendRequest(reg, channel, user);
    timers.advance(10_000);
    layer.receiveResponse(response(reg, 200));
    timers.advance(0);
    expect(channel.times()).toEqual([0]);
    expect(tx.state).toBe('terminated');
  });

  it('matches responses by branch and CSeq method: a CANCEL response does not reach the INVITE', () => {
    const { channel, layer, user } = setup();
    const invite = request('INVITE');
    layer.sendRequest(invite, channel, user);
    const cancelUser = new RecordingUser();
    const cancel = request('CANCEL', invite.via[0]!.params.get('branch')!);
    layer.sendRequest(cancel, channel, cancelUser);
    layer.receiveResponse(response(cancel, 200));
    expect(cancelUser.responses).toEqual([200]);
    expect(user.responses).toEqual([]);
  });
});

/** A channel that keeps only the bytes it sent, as a socket would. */
function byteChannel() {
  const sent: Buffer[] = [];
  const channel: TransactionChannel = {
    reliable: false,
    send: (message) => {
      const bytes = serializeMessage(message);
      const send = () => {
        sent.push(bytes);
      };
      send();
      return send;
    },
  };
  return { sent, channel };
}

/** `make()`'s result, and a WeakRef to it that tells when nothing holds it any more. */
function watched<T extends object>(make: () => T): [T, WeakRef<T>] {
  const value = make();
  return [value, new WeakRef(value)];
}

describe('what a finished transaction keeps (nothing but the bytes a retransmission needs)', () => {
  it('an INVITE server transaction in Accepted after the ACK: neither the INVITE, the 2xx nor its user', async () => {
    const timers = new FakeTimers();
    const { sent, channel } = byteChannel();
    const refs: WeakRef<object>[] = [];
    const layer = new TransactionLayer({
      timers,
      onRequest: (invite, tx) => {
        const [user, userRef] = watched(() => ({ ack: () => {} }));
        tx.user = user;
        const [ok, okRef] = watched(() => response(invite, 200));
        refs.push(userRef, okRef);
        tx.respond(ok);
      },
    });
    ((invite: SipRequest) => {
      refs.push(new WeakRef(invite));
      layer.receiveRequest(invite, channel);
    })(request('INVITE'));
    layer.receiveRequest(request('ACK', 'z9hG4bKack'), channel);
    expect(layer.size.servers).toBe(1);
    for (const ref of refs) expect(await collected(ref)).toBe(true);
    layer.receiveRequest(request('INVITE'), channel); // absorbed in Accepted
    expect(sent).toHaveLength(2); // 100, 200
  });

  it("a non-INVITE server transaction in Completed: only the final response's bytes, sent again", async () => {
    const timers = new FakeTimers();
    const { sent, channel } = byteChannel();
    const refs: WeakRef<object>[] = [];
    const layer = new TransactionLayer({
      timers,
      onRequest: (bye, tx) => {
        refs.push(new WeakRef(bye));
        const [ok, okRef] = watched(() => response(bye, 200));
        refs.push(okRef);
        tx.respond(ok);
      },
    });
    layer.receiveRequest(request('BYE'), channel);
    for (const ref of refs) expect(await collected(ref)).toBe(true);
    layer.receiveRequest(request('BYE'), channel);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(sent[0]);
    expect(layer.size.servers).toBe(1);
  });

  it('an INVITE client transaction: no request after the final, no user in Completed; a swapped user hears 2xx repeats', async () => {
    const timers = new FakeTimers();
    const { sent, channel } = byteChannel();
    const layer = new TransactionLayer({ timers, onRequest: () => {} });
    // Made and used in functions of their own, so that only the WeakRefs stay in this test's scope.
    const failedRefs = ((invite: SipRequest, user: RecordingUser) => {
      layer.sendRequest(invite, channel, user);
      layer.receiveResponse(response(invite, 486));
      expect(user.responses).toEqual([486]);
      layer.receiveResponse(response(invite, 486)); // absorbed, ACKed again
      return [new WeakRef(invite), new WeakRef(user)];
    })(request('INVITE', 'z9hG4bKfail'), new RecordingUser());
    expect(sent).toHaveLength(3); // INVITE, ACK, ACK
    expect(sent[2]).toBe(sent[1]);
    const repeats = new RecordingUser();
    const answeredRef = ((invite: SipRequest) => {
      const tx = layer.sendRequest(invite, channel, new RecordingUser());
      layer.receiveResponse(response(invite, 200));
      tx.user = repeats;
      layer.receiveResponse(response(invite, 200));
      return new WeakRef(invite);
    })(request('INVITE', 'z9hG4bKok'));
    expect(repeats.responses).toEqual([200]);
    expect(layer.size.clients).toBe(2);
    for (const ref of [...failedRefs, answeredRef]) expect(await collected(ref)).toBe(true);
  });
});

describe('INVITE server transaction (RFC 3261 17.2.1, RFC 6026)', () => {
  it('sends 100 Trying, repeats the latest provisional on a retransmitted INVITE', () => {
    const { channel, layer, incoming } = setup();
    const invite = request('INVITE');
    layer.receiveRequest(invite, channel);
    expect(incoming).toHaveLength(1);
    const tx = incoming[0]!.tx;
    tx.respond(response(invite, 180));
    layer.receiveRequest(request('INVITE'), channel);
    expect(incoming).toHaveLength(1);
    expect(channel.sent.map((s) => (s.message as SipResponse).status)).toEqual([100, 180, 180]);
  });

  it('retransmits a failure with Timer G up to T2, stops on ACK and ends after Timer I', () => {
    const { timers, channel, layer, incoming } = setup();
    const invite = request('INVITE');
    layer.receiveRequest(invite, channel);
    const tx = incoming[0]!.tx;
    tx.respond(response(invite, 486));
    timers.advance(12_000);
    expect(channel.times((m) => m.kind === 'response' && m.status === 486)).toEqual([
      0, 500, 1500, 3500, 7500, 11500,
    ]);
    layer.receiveRequest(request('ACK'), channel); // same branch: matches this transaction
    expect(tx.state).toBe('confirmed');
    timers.advance(4_999);
    expect(channel.sent).toHaveLength(7);
    timers.advance(1);
    expect(states(tx)).toEqual(['proceeding', 'completed', 'confirmed', 'terminated']);
  });

  it('gives up with Timer H when no ACK comes', () => {
    const { timers, channel, layer, incoming } = setup();
    const invite = request('INVITE');
    layer.receiveRequest(invite, channel);
    const tx = incoming[0]!.tx;
    let timeouts = 0;
    tx.user = { timeout: () => timeouts++ };
    tx.respond(response(invite, 404));
    timers.advance(32_000);
    expect(timeouts).toBe(1);
    expect(tx.state).toBe('terminated');
    expect(layer.size.servers).toBe(0);
  });

  it('in Accepted retransmits the 2xx until the ACK (new branch) arrives and absorbs INVITE retransmissions', () => {
    const { timers, channel, layer, incoming, strays } = setup();
    const invite = request('INVITE');
    layer.receiveRequest(invite, channel);
    const tx = incoming[0]!.tx;
    const acks: SipRequest[] = [];
    tx.user = { ack: (a) => acks.push(a) };
    tx.respond(response(invite, 200));
    timers.advance(4_000);
    layer.receiveRequest(request('INVITE'), channel);
    expect(channel.times((m) => m.kind === 'response' && m.status === 200)).toEqual([0, 500, 1500, 3500]);
    layer.receiveRequest(request('ACK', 'z9hG4bKnewbranch'), channel);
    expect(acks).toHaveLength(1);
    // The TU has its ACK: a repeat (the 2xx was retransmitted before the first arrived) is absorbed, and
    // the transaction no longer holds the TU.
    layer.receiveRequest(request('ACK', 'z9hG4bKnewbranch2'), channel);
    expect(acks).toHaveLength(1);
    expect(tx.user).toBe(NO_USER);
    expect(strays).toHaveLength(0);
    timers.advance(20_000);
    expect(channel.sent).toHaveLength(5); // 100 + four 200s
    timers.advance(8_000);
    expect(states(tx)).toEqual(['proceeding', 'accepted', 'terminated']);
    layer.receiveRequest(request('ACK', 'z9hG4bKlate'), channel);
    expect(strays).toHaveLength(1);
  });

  it('reports a 2xx never ACKed when Timer L fires', () => {
    const { timers, channel, layer, incoming } = setup();
    const invite = request('INVITE');
    layer.receiveRequest(invite, channel);
    const tx = incoming[0]!.tx;
    let timeouts = 0;
    tx.user = { timeout: () => timeouts++ };
    tx.respond(response(invite, 200));
    timers.advance(32_000);
    expect(timeouts).toBe(1);
  });

  it('over a reliable transport does not retransmit and leaves Confirmed at once (Timer I = 0)', () => {
    const { timers, channel, layer, incoming } = setup(true);
    const invite = request('INVITE');
    layer.receiveRequest(invite, channel);
    const tx = incoming[0]!.tx;
    tx.respond(response(invite, 480));
    timers.advance(10_000);
    expect(channel.sent).toHaveLength(2);
    layer.receiveRequest(request('ACK'), channel);
    timers.advance(0);
    expect(tx.state).toBe('terminated');
  });

  it('finds the INVITE a CANCEL targets, and the CANCEL gets its own transaction', () => {
    const { channel, layer, incoming } = setup();
    const invite = request('INVITE');
    layer.receiveRequest(invite, channel);
    const cancel = request('CANCEL');
    layer.receiveRequest(cancel, channel);
    expect(incoming.map((i) => i.request.method)).toEqual(['INVITE', 'CANCEL']);
    expect(layer.findInviteForCancel(cancel)).toBe(incoming[0]!.tx);
    expect(layer.findInviteForCancel(request('CANCEL', 'z9hG4bKother'))).toBeUndefined();
  });

  it('matches retransmissions from RFC 2543 peers without a magic-cookie branch', () => {
    const { channel, layer, incoming } = setup();
    layer.receiveRequest(request('INVITE', 'old1'), channel);
    layer.receiveRequest(request('INVITE', 'old1'), channel);
    expect(incoming).toHaveLength(1);
  });
});

describe('non-INVITE server transaction (RFC 3261 17.2.2)', () => {
  it('absorbs retransmissions while Trying, repeats the final in Completed and ends after Timer J', () => {
    const { timers, channel, layer, incoming } = setup();
    const options = request('OPTIONS');
    layer.receiveRequest(options, channel);
    layer.receiveRequest(request('OPTIONS'), channel);
    expect(channel.sent).toHaveLength(0);
    const tx = incoming[0]!.tx;
    tx.respond(response(options, 200));
    layer.receiveRequest(request('OPTIONS'), channel);
    expect(channel.sent).toHaveLength(2);
    timers.advance(31_999);
    expect(tx.state).toBe('completed');
    timers.advance(1);
    expect(states(tx)).toEqual(['trying', 'completed', 'terminated']);
    layer.receiveRequest(request('OPTIONS'), channel);
    expect(incoming).toHaveLength(2); // after termination a retransmission is a new request
  });

  it('repeats the provisional in Proceeding and ends at once over a reliable transport', () => {
    const { timers, channel, layer, incoming } = setup(true);
    const msg = request('MESSAGE');
    layer.receiveRequest(msg, channel);
    const tx = incoming[0]!.tx;
    tx.respond(response(msg, 100));
    layer.receiveRequest(request('MESSAGE'), channel);
    tx.respond(response(msg, 202));
    timers.advance(0);
    expect(channel.sent.map((s) => (s.message as SipResponse).status)).toEqual([100, 100, 202]);
    expect(states(tx)).toEqual(['trying', 'proceeding', 'completed', 'terminated']);
  });
});
