/**
 * Sends WCTP status and replies ('wctp-status' outbox rows, written with the alert change that caused
 * them) back to the system that sent the message:
 *
 *   the sender gave an http(s) sendResponsesToID ──> push (POST text/xml), expect wctp-Confirmation 2xx
 *        │  network error, HTTP error, a temporary wctp-Failure ──> the outbox's backoff, with the figures
 *        │                                                         of `wctp.push` (attempts, waits)
 *        │  a permanent wctp-Failure, or attempts used up ──> dead letter: a 'failed' entry on the alert's
 *        │                                                    timeline, and the notice waits for a poll
 *   otherwise ──> the sender's pickup box in the store: wctp-PollForMessages hands it over until the
 *                 poller confirms it in wctp-MessageReceived (WCTP 1.3)
 *   a transient client (tracking number) ──> the tracking number's box, for its wctp-ClientQuery
 *
 * A push is at least once: one whose 'sent' mark a crash lost is pushed again, with the same messageID.
 */
import type { Logger } from 'pino';
import {
  buildMessageReply,
  buildStatusInfo,
  parseWctp,
  type StatusInfoInput,
  wctpOutcome,
} from '../../protocols/wctp/index.ts';
import { clientBox, pollBox, WCTP_STATUS_CHANNEL, type WctpNotice } from '../../protocols/wctp/notice.ts';
import type { AlertStore } from '../../store/alert-port.ts';
import type { Delivery, PickupStore } from '../../store/outbox-port.ts';
import { type DeliveryOutcome, type DeliveryWorker, PermanentDeliveryError } from '../outbox/worker.ts';
import { clientMessage, pushedDocument } from './documents.ts';

/** POSTs a WCTP document and resolves with the HTTP status and body (rejects on network failure). */
export type WctpPost = (
  url: string,
  xml: string,
  timeoutMs: number,
) => Promise<{ status: number; body: string }>;

export interface WctpPushSettings {
  attempts: number;
  firstRetrySeconds: number;
  maxRetrySeconds: number;
  timeoutSeconds: number;
}

export interface WctpStatusSenderDeps {
  gatewayId: string;
  push: WctpPushSettings;
  /** Notices kept per poller or tracking number; the oldest go first. */
  maxQueuedPerSender: number;
  worker: DeliveryWorker;
  pickups: PickupStore;
  alerts: AlertStore;
  post?: WctpPost;
  now: () => Date;
  log: Logger;
}

const PUSHED = 'pushed';

export class WctpStatusSender {
  private readonly post: WctpPost;

  constructor(private readonly deps: WctpStatusSenderDeps) {
    this.post = deps.post ?? httpPost;
    deps.worker.register(WCTP_STATUS_CHANNEL, {
      send: (d) => this.deliver(d),
      onOutcome: (d, o) => this.record(d, o),
      // The one backoff of the outbox, with the figures the WCTP settings give (doubling waits).
      backoff: {
        maxAttempts: deps.push.attempts,
        firstDelayMs: deps.push.firstRetrySeconds * 1000,
        factor: 2,
        maxDelayMs: deps.push.maxRetrySeconds * 1000,
      },
      immediate: true,
    });
  }

  private async deliver(d: Delivery): Promise<string> {
    const notice = d.payload as WctpNotice;
    const { origin } = notice;
    const at = d.createdAt;
    if (origin.trackingNumber) {
      await this.hold(clientBox(origin.trackingNumber), clientMessage(notice, at), d.id);
      return 'held for wctp-ClientQuery';
    }
    const document = pushedDocument(notice, this.deps.gatewayId, d.id, at);
    const url = origin.sendResponsesToID;
    if (!url || !/^https?:\/\//i.test(url)) {
      await this.hold(pollBox(origin.senderID), document, d.id);
      return 'held for wctp-PollForMessages';
    }
    const xml =
      document.operation === 'MessageReply'
        ? buildMessageReply(document)
        : buildStatusInfo(document as StatusInfoInput);
    let res: { status: number; body: string };
    try {
      res = await this.post(url, xml, this.deps.push.timeoutSeconds * 1000);
    } catch (err) {
      throw new Error((err as Error).message || 'network error');
    }
    if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status}`);
    let answer: ReturnType<typeof parseWctp>;
    try {
      answer = parseWctp(res.body);
    } catch {
      // HTTP 2xx with a body that is not WCTP: the sender took it; many simple receivers answer "OK".
      return PUSHED;
    }
    if (answer.operation !== 'Confirmation' || answer.result.kind === 'success') return PUSHED;
    const result = answer.result;
    const why = `wctp-Failure ${result.code}${result.text ? ` (${result.text})` : ''}`;
    if (wctpOutcome(result.code) === 'temporary') throw new Error(why);
    throw new PermanentDeliveryError(why);
  }

  private hold(box: string, payload: unknown, deliveryId: number): Promise<void> {
    return this.deps.pickups.hold(box, payload, deliveryId, this.deps.now(), this.deps.maxQueuedPerSender);
  }

  private async record(d: Delivery, o: DeliveryOutcome): Promise<void> {
    const notice = d.payload as WctpNotice;
    const what = notice.response.kind === 'reply' ? 'wctp-MessageReply' : 'wctp-StatusInfo';
    const sender = notice.origin.senderID;
    const event = (kind: string, detail: string) =>
      d.alertId === null
        ? Promise.resolve()
        : this.deps.alerts.addEvent({
            alertId: d.alertId,
            at: this.deps.now(),
            kind,
            personId: notice.personId ?? null,
            detail,
          });
    if (o.kind === 'sent' && o.result === PUSHED) await event('wctp', `${what} pushed to ${sender}`);
    if (o.kind === 'retry')
      this.deps.log.info(
        { senderID: sender, attempt: o.attempt, error: o.error },
        'WCTP push failed; will retry',
      );
    if (o.kind !== 'dead') return;
    // Dead letter: visible on the alert's timeline; the sender can still fetch it by polling.
    this.deps.log.warn({ senderID: sender, attempts: o.attempt, error: o.error }, 'WCTP push given up');
    await this.hold(pollBox(sender), pushedDocument(notice, this.deps.gatewayId, d.id, d.createdAt), d.id);
    await event(
      'failed',
      `${what} to ${sender} not delivered after ${o.attempt} attempt(s): ${o.error}; kept for polling`,
    );
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
