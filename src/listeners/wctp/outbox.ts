/**
 * The WCTP back channel: statuses and replies on their way to the system that sent the message.
 *
 *   sender gave an http(s) sendResponsesToID ──> push (POST text/xml), expect wctp-Confirmation 2xx
 *        │  network error, HTTP error, 6xx ──> retry after 2 s, 4 s, 8 s … (capped), `attempts` in all
 *        │  4xx/5xx refusal, or attempts used up ──> dead letter: a 'failed' entry on the alert's
 *        │                                          timeline, and the message waits for a poll instead
 *   otherwise ──> poll queue of the sender: wctp-PollForMessages hands it over with a sequence number
 *                 until the poller confirms it in wctp-MessageReceived (WCTP 1.3, PollForMessages)
 *   transient client (tracking number) ──> kept for its wctp-ClientQuery, handed over once
 *
 * Held in memory: a restart forgets notices not yet delivered (the alerts themselves are durable).
 */
import type { Logger } from 'pino';
import {
  buildMessageReply,
  buildStatusInfo,
  type ClientMessageInput,
  formatWctpTimestamp,
  type MessageReceived,
  type MessageReplyInput,
  type PolledOperationInput,
  parseWctp,
  type StatusInfoInput,
  wctpFailure,
  wctpOutcome,
} from '../../protocols/wctp/index.ts';
import type { WctpBackChannel, WctpOrigin, WctpResponse } from '../../routing/sources/wctp/back-channel.ts';
import type { WctpPushSettings } from './options.ts';

/** POSTs a WCTP document and resolves with the HTTP status and body (rejects on network failure). */
export type WctpPost = (
  url: string,
  xml: string,
  timeoutMs: number,
) => Promise<{ status: number; body: string }>;

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface OutboxDeps {
  gatewayId: string;
  push: WctpPushSettings;
  maxQueuedPerSender: number;
  post: WctpPost;
  timers: Timers;
  now: () => Date;
  /** Writes a timeline entry on the alert (kind 'failed' for a dead letter, 'wctp' for a delivered notice). */
  record: (alertId: number, kind: string, personId: string | undefined, detail: string) => Promise<void>;
  log: Logger;
}

interface Polled {
  sequenceNo: string;
  message: PolledOperationInput;
}

const WCTP_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/;

export class WctpOutbox implements WctpBackChannel {
  private readonly pollQueues = new Map<string, Polled[]>();
  private readonly clientQueues = new Map<string, ClientMessageInput[]>();
  private readonly timers = new Set<unknown>();
  private sequence = 0;
  private ids = 0;
  private stopped = false;
  private inFlight = 0;
  private idle: Array<() => void> = [];

  constructor(private readonly deps: OutboxDeps) {}

  send(origin: WctpOrigin, response: WctpResponse, about: { alertId: number; personId?: string }): void {
    if (origin.trackingNumber) {
      this.keepForClient(origin, response);
      return;
    }
    const message = this.document(origin, response);
    const url = origin.sendResponsesToID;
    if (url && /^https?:\/\//i.test(url)) this.push(url, message, origin, about, 1);
    else this.queueForPoll(origin.senderID, message);
  }

  /**
   * wctp-PollForMessages: forgets what the poller confirmed (`received`), then hands over up to `max`
   * waiting messages, oldest first. Unconfirmed ones are handed over again at the next poll.
   */
  poll(pollerID: string, received: readonly MessageReceived[], max: number): Polled[] {
    const key = pollerID.toLowerCase();
    const queue = this.pollQueues.get(key) ?? [];
    const done = new Set(received.map((r) => r.sequenceNo));
    const left = queue.filter((m) => !done.has(m.sequenceNo));
    if (left.length) this.pollQueues.set(key, left);
    else this.pollQueues.delete(key);
    return left.slice(0, Math.max(1, max));
  }

  /** wctp-ClientQuery: the statuses and replies for a tracking number, each handed over once. */
  takeForClient(trackingNumber: string): ClientMessageInput[] {
    const list = this.clientQueues.get(trackingNumber) ?? [];
    this.clientQueues.delete(trackingNumber);
    return list;
  }

  /** Resolves once no push is in flight (for tests and a graceful stop). */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) this.deps.timers.clear(t);
    this.timers.clear();
  }

  private document(origin: WctpOrigin, response: WctpResponse): PolledOperationInput {
    const now = this.deps.now();
    const header = {
      responseToMessageID: origin.messageID,
      responseTimestamp: formatWctpTimestamp(now),
      ...(origin.submitTimestamp && WCTP_TIME.test(origin.submitTimestamp)
        ? { respondingToTimestamp: origin.submitTimestamp }
        : {}),
      // In a response header the originator is the addressed device and the recipient is the sender.
      originator: { senderID: origin.recipientID },
      messageControl: {
        messageID: `${this.deps.gatewayId}-${now.getTime().toString(36)}-${++this.ids}`,
        ...(origin.transactionID ? { transactionID: origin.transactionID } : {}),
      },
      recipient: { recipientID: origin.senderID },
    };
    if (response.kind === 'reply') {
      const reply: MessageReplyInput = {
        ...header,
        mcrMessageReply: response.mcrMessageReply,
        payload: { kind: 'alphanumeric', text: response.text },
      };
      return { operation: 'MessageReply', ...reply };
    }
    const status: StatusInfoInput = {
      ...header,
      status:
        response.kind === 'status'
          ? { kind: 'notification', type: response.type }
          : wctpFailure(response.code, response.detail),
    };
    return { operation: 'StatusInfo', ...status };
  }

  private queueForPoll(senderID: string, message: PolledOperationInput): void {
    const key = senderID.toLowerCase();
    const queue = this.pollQueues.get(key) ?? [];
    queue.push({ sequenceNo: String(++this.sequence), message });
    if (queue.length > this.deps.maxQueuedPerSender) {
      const dropped = queue.splice(0, queue.length - this.deps.maxQueuedPerSender);
      this.deps.log.warn(
        { senderID, dropped: dropped.length },
        'WCTP poll queue full: oldest notices dropped',
      );
    }
    this.pollQueues.set(key, queue);
  }

  private keepForClient(origin: WctpOrigin, response: WctpResponse): void {
    const now = formatWctpTimestamp(this.deps.now());
    const header = {
      responseTimestamp: now,
      ...(origin.submitTimestamp && WCTP_TIME.test(origin.submitTimestamp)
        ? { respondingToTimestamp: origin.submitTimestamp }
        : {}),
      originator: { senderID: origin.recipientID },
      recipient: { recipientID: origin.senderID },
    };
    const message: ClientMessageInput =
      response.kind === 'reply'
        ? {
            ...header,
            kind: 'reply',
            mcrMessageReply: response.mcrMessageReply,
            payload: { kind: 'alphanumeric', text: response.text },
          }
        : {
            ...header,
            kind: 'status',
            status:
              response.kind === 'status'
                ? { kind: 'notification', type: response.type }
                : wctpFailure(response.code, response.detail),
          };
    const list = this.clientQueues.get(origin.trackingNumber!) ?? [];
    list.push(message);
    this.clientQueues.set(origin.trackingNumber!, list.slice(-this.deps.maxQueuedPerSender));
  }

  private push(
    url: string,
    message: PolledOperationInput,
    origin: WctpOrigin,
    about: { alertId: number; personId?: string },
    attempt: number,
  ): void {
    if (this.stopped) return;
    const xml =
      message.operation === 'MessageReply'
        ? buildMessageReply(message)
        : buildStatusInfo(message as StatusInfoInput);
    const what = message.operation === 'MessageReply' ? 'wctp-MessageReply' : 'wctp-StatusInfo';
    this.inFlight++;
    void this.attempt(url, xml)
      .then((outcome) => {
        if (outcome.ok) {
          return this.deps.record(
            about.alertId,
            'wctp',
            about.personId,
            `${what} pushed to ${origin.senderID}`,
          );
        }
        const { push } = this.deps;
        if (outcome.retry && attempt < push.attempts && !this.stopped) {
          const wait = Math.min(push.firstRetrySeconds * 2 ** (attempt - 1), push.maxRetrySeconds) * 1000;
          this.deps.log.info(
            { senderID: origin.senderID, attempt, error: outcome.error },
            'WCTP push failed; will retry',
          );
          const handle = this.deps.timers.set(() => {
            this.timers.delete(handle);
            this.push(url, message, origin, about, attempt + 1);
          }, wait);
          this.timers.add(handle);
          return;
        }
        // Dead letter: visible on the alert's timeline; the sender can still fetch it by polling.
        this.deps.log.warn(
          { senderID: origin.senderID, attempts: attempt, error: outcome.error },
          'WCTP push given up',
        );
        this.queueForPoll(origin.senderID, message);
        return this.deps.record(
          about.alertId,
          'failed',
          about.personId,
          `${what} to ${origin.senderID} not delivered after ${attempt} attempt(s): ${outcome.error}; kept for polling`,
        );
      })
      .catch((err) => this.deps.log.error({ err }, 'WCTP push bookkeeping failed'))
      .finally(() => {
        this.inFlight--;
        if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
  }

  private async attempt(
    url: string,
    xml: string,
  ): Promise<{ ok: true } | { ok: false; retry: boolean; error: string }> {
    let res: { status: number; body: string };
    try {
      res = await this.deps.post(url, xml, this.deps.push.timeoutSeconds * 1000);
    } catch (err) {
      return { ok: false, retry: true, error: (err as Error).message || 'network error' };
    }
    if (res.status < 200 || res.status >= 300) return { ok: false, retry: true, error: `HTTP ${res.status}` };
    try {
      const answer = parseWctp(res.body);
      if (answer.operation !== 'Confirmation') return { ok: true }; // answered in WCTP; nothing to retry
      const result = answer.result;
      if (result.kind === 'success') return { ok: true };
      return {
        ok: false,
        retry: wctpOutcome(result.code) === 'temporary',
        error: `wctp-Failure ${result.code}${result.text ? ` (${result.text})` : ''}`,
      };
    } catch {
      // HTTP 2xx with a body that is not WCTP: the sender took it; many simple receivers answer "OK".
      return { ok: true };
    }
  }
}

/** The production POST: fetch with a timeout. */
export const httpPost: WctpPost = async (url, xml, timeoutMs) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: xml,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: await res.text() };
};

export const realTimers: Timers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
