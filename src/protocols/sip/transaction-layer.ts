/**
 * The transaction layer: creates client and server transactions, matches incoming messages to them
 * (RFC 3261 sections 17.1.3 and 17.2.3) and forgets them when they terminate.
 *
 * It is pure: the transport hands it parsed messages together with a `TransactionChannel` to answer
 * on, and it sends through the channels it is given.
 */
import { tagOf } from './address.ts';
import {
  type ClientInviteState,
  ClientInviteTransaction,
  type ClientTransactionUser,
} from './client-invite-transaction.ts';
import { type ClientNonInviteState, ClientNonInviteTransaction } from './client-non-invite-transaction.ts';
import { newBranch } from './ids.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { ServerInviteTransaction } from './server-invite-transaction.ts';
import { ServerNonInviteTransaction } from './server-non-invite-transaction.ts';
import { DEFAULT_TIMER_VALUES, type Timers, type TimerValues } from './timers.ts';
import type { TransactionChannel, TransactionOwner, TransactionTiming } from './transaction.ts';
import { branchOf, MAGIC_COOKIE } from './via.ts';

export type ClientTransaction = ClientInviteTransaction | ClientNonInviteTransaction;
export type ServerTransaction = ServerInviteTransaction | ServerNonInviteTransaction;
export type { ClientInviteState, ClientNonInviteState };

export interface TransactionLayerOptions {
  timers: Timers;
  /** T1, T2, T4 overrides. */
  values?: Partial<TimerValues>;
  /**
   * A request that matched no transaction. A server transaction has been created for it; the TU
   * answers through `tx.respond(...)`. (ACKs never create transactions: see `onStrayAck`.)
   */
  onRequest(request: SipRequest, tx: ServerTransaction): void;
  /** An ACK that matched no transaction and no accepted INVITE (e.g. a late ACK for a 2xx). */
  onStrayAck?(ack: SipRequest): void;
  /**
   * A response that matched no client transaction: a 2xx retransmitted after Timer M, or a 2xx
   * from another fork. The UAC core ACKs it (RFC 3261 section 13.2.2.4) or drops it.
   */
  onStrayResponse?(response: SipResponse): void;
  /** Send 100 Trying as soon as an INVITE server transaction starts. @defaultValue true */
  autoTrying?: boolean;
  /** Every transaction records its states and timers in `history` (tests). @defaultValue false */
  keepHistory?: boolean;
}

export class TransactionLayer {
  private readonly timing: TransactionTiming;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  // INVITE server transactions in Accepted, by dialog-ish key: the ACK for their 2xx carries a new branch.
  private readonly accepted = new Map<string, ServerInviteTransaction>();

  constructor(private readonly options: TransactionLayerOptions) {
    this.timing = {
      timers: options.timers,
      values: { ...DEFAULT_TIMER_VALUES, ...options.values },
      keepHistory: options.keepHistory ?? false,
    };
  }

  /** Live transactions, for tests and health reporting. */
  get size(): { clients: number; servers: number } {
    return { clients: this.clients.size, servers: this.servers.size };
  }

  /**
   * Starts a client transaction for `request` (not ACK: an ACK for a 2xx is sent by the UAC core
   * directly, section 17.1.1.3). Sets a fresh branch on the top Via when it has no RFC 3261 one.
   */
  sendRequest(
    request: SipRequest,
    channel: TransactionChannel,
    user: ClientTransactionUser,
  ): ClientTransaction {
    if (request.method === 'ACK') throw new Error('ACK is not sent through a client transaction');
    const top = request.via[0];
    if (!top) throw new Error('A request needs a Via header field before it is sent');
    if (!branchOf(top)?.startsWith(MAGIC_COOKIE)) top.params.set('branch', newBranch());
    const key = ownString(clientKey(branchOf(top)!, request.method));
    if (this.clients.has(key))
      throw new Error(`A client transaction with branch ${branchOf(top)} already exists`);
    const tx =
      request.method === 'INVITE'
        ? new ClientInviteTransaction(key, request, channel, this.timing, user)
        : new ClientNonInviteTransaction(key, request, channel, this.timing, user);
    this.clients.set(key, tx);
    tx.owner = this.tracker;
    tx.start();
    return tx;
  }

  /** Section 17.1.3: a response matches by top Via branch and CSeq method. */
  receiveResponse(response: SipResponse): void {
    const branch = branchOf(response.via[0]);
    const tx = branch === undefined ? undefined : this.clients.get(clientKey(branch, response.cseq.method));
    if (tx) tx.receive(response);
    else this.options.onStrayResponse?.(response);
  }

  receiveRequest(request: SipRequest, channel: TransactionChannel): void {
    let key = serverKey(request);
    const existing = this.servers.get(key);
    if (existing) {
      existing.receive(request);
      return;
    }
    if (request.method === 'ACK') {
      const accepted = this.accepted.get(dialogAckKey(request));
      if (accepted) accepted.receive(request);
      else this.options.onStrayAck?.(request);
      return;
    }
    key = ownString(key);
    if (request.method === 'INVITE') {
      const tx = new ServerInviteTransaction(key, channel, this.timing);
      tx.ackKey = ownString(dialogAckKey(request));
      this.track(key, tx);
      // 100 Trying first, so that a TU answering synchronously never has its response overtaken.
      tx.start(request, this.options.autoTrying ?? true);
      this.options.onRequest(request, tx);
      return;
    }
    const tx = new ServerNonInviteTransaction(key, channel, this.timing);
    this.track(key, tx);
    this.options.onRequest(request, tx);
  }

  /** The INVITE server transaction a CANCEL targets (section 9.2: same branch, method INVITE). */
  findInviteForCancel(cancel: SipRequest): ServerInviteTransaction | undefined {
    const tx = this.servers.get(serverKey({ ...cancel, method: 'INVITE' }));
    return tx instanceof ServerInviteTransaction ? tx : undefined;
  }

  private track(key: string, tx: ServerTransaction): void {
    this.servers.set(key, tx);
    tx.owner = this.tracker;
  }

  // One object for every transaction: a closure per transaction would live as long as it (64*T1).
  private readonly tracker: TransactionOwner = {
    stateChanged: (tx, state) => {
      if (tx instanceof ServerInviteTransaction) {
        if (state === 'accepted') this.accepted.set(tx.ackKey, tx);
        else if (state === 'terminated' && this.accepted.get(tx.ackKey) === tx)
          this.accepted.delete(tx.ackKey);
      }
      if (state !== 'terminated') return;
      if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
      else if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
    },
  };
}

/**
 * A copy of `key` that holds nothing else. A key made of parts of a received message is a tree of slices
 * of that message's whole header text, which it would keep in memory as long as the transaction (64*T1):
 * two header sections a call. Through bytes and back is the one copy JavaScript guarantees is flat.
 */
function ownString(key: string): string {
  return Buffer.from(key, 'utf8').toString('utf8');
}

function clientKey(branch: string, method: string): string {
  return `${branch}|${method === 'ACK' ? 'INVITE' : method}`;
}

/**
 * Section 17.2.3. With an RFC 3261 branch: branch + sent-by + method (ACK matches its INVITE).
 * Without (RFC 2543 peers): Request-URI, From tag, Call-ID, CSeq number, top Via and method.
 */
function serverKey(request: SipRequest): string {
  const top = request.via[0]!;
  const sentBy = `${top.host.toLowerCase()}:${top.port ?? ''}`;
  const method = request.method === 'ACK' ? 'INVITE' : request.method;
  const branch = branchOf(top);
  if (branch?.startsWith(MAGIC_COOKIE)) return `${branch}|${sentBy}|${method}`;
  const uri = request.uri.kind === 'sip' ? `${request.uri.user ?? ''}@${request.uri.host.toLowerCase()}` : '';
  return `2543|${uri}|${tagOf(request.from) ?? ''}|${request.callId}|${request.cseq.seq}|${sentBy}|${branch ?? ''}|${method}`;
}

/** The ACK for a 2xx has its own branch; it is matched to the INVITE by Call-ID, From tag and CSeq number. */
function dialogAckKey(request: SipRequest): string {
  return `${request.callId}|${tagOf(request.from) ?? ''}|${request.cseq.seq}`;
}
