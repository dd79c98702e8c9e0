/**
 * Status and replies back to the WCTP sender, as the alert moves (WCTP 1.3 wctp-StatusInfo and
 * wctp-MessageReply):
 * - the first recipient's device shows the alert → DELIVERED, when the sender set notifyWhenDelivered;
 * - the first recipient opens it → READ, when the sender set notifyWhenRead;
 * - a clinician answers, when the sender set allowResponse → a MessageReply: the chosen answer (with
 *   MCRMessageReply="true" and the choice's reply text), or, for accept / reject / acknowledge, the offered
 *   choice of that name ("Accept", "Reject"...), or without choices the answer in words.
 * Each notice goes once per alert; the back channel does the sending and its retries.
 */
import type { Alert, RecipientState } from '../../../store/alert-port.ts';
import type { AlertObserver } from '../../notifications.ts';
import type { WctpBackChannel, WctpOrigin } from './back-channel.ts';
import { WCTP_LISTENER } from './interpreter.ts';

/** Names a sender may give the choice that means each answer. */
const ANSWER_WORDS: Partial<Record<RecipientState, readonly string[]>> = {
  accepted: ['accept', 'accepted', 'yes', 'ok', 'on my way'],
  rejected: ['reject', 'rejected', 'decline', 'declined', 'no'],
  acknowledged: ['acknowledge', 'acknowledged', 'ack', 'ok'],
};
const ANSWER_TEXT: Partial<Record<RecipientState, string>> = {
  accepted: 'Accepted',
  rejected: 'Rejected',
  acknowledged: 'Acknowledged',
};

export class WctpStatusReporter implements AlertObserver {
  /** `alertId:what` already sent, so a notice goes once however many recipients there are. */
  private readonly sent = new Set<string>();

  constructor(private readonly back: WctpBackChannel) {}

  recipientChanged(alert: Alert, personId: string, state: RecipientState): void {
    const origin = originOf(alert);
    if (!origin) return;
    if (state === 'delivered' && origin.notifyWhenDelivered) {
      this.once(alert, 'DELIVERED', () =>
        this.back.send(origin, { kind: 'status', type: 'DELIVERED' }, { alertId: alert.id, personId }),
      );
    }
    if (state === 'read' && origin.notifyWhenRead) {
      this.once(alert, 'READ', () =>
        this.back.send(origin, { kind: 'status', type: 'READ' }, { alertId: alert.id, personId }),
      );
    }
    if ((state === 'accepted' || state === 'rejected') && origin.allowResponse) {
      // A reject is an answer of one clinician; the alert goes on to the next, so it may be answered again.
      const reply = answerReply(origin, state);
      const key = state === 'rejected' ? `rejected:${personId}` : 'answer';
      this.once(alert, key, () =>
        this.back.send(origin, { kind: 'reply', ...reply }, { alertId: alert.id, personId }),
      );
    }
  }

  alertChanged(alert: Alert): void {
    const origin = originOf(alert);
    if (!origin?.allowResponse || alert.status !== 'acknowledged') return;
    const personId = alert.acknowledgedBy ?? undefined;
    const chosen = typeof alert.context.reply === 'string' ? alert.context.reply : undefined;
    const reply = chosen !== undefined ? choiceReply(origin, chosen) : answerReply(origin, 'acknowledged');
    this.once(alert, 'answer', () =>
      this.back.send(origin, { kind: 'reply', ...reply }, { alertId: alert.id, personId }),
    );
  }

  private once(alert: Alert, what: string, send: () => void): void {
    const key = `${alert.id}:${what}`;
    if (this.sent.has(key)) return;
    this.sent.add(key);
    send();
  }
}

function originOf(alert: Alert): WctpOrigin | undefined {
  if (alert.source !== WCTP_LISTENER) return undefined;
  const origin = alert.context.wctp as WctpOrigin | undefined;
  return origin && typeof origin.senderID === 'string' ? origin : undefined;
}

/** The chosen text goes back as the choice's reply text when the sender gave one (wctp-ChoicePair). */
function choiceReply(origin: WctpOrigin, shown: string): { text: string; mcrMessageReply: boolean } {
  const choice = origin.choices?.find((c) => c.text === shown);
  return choice
    ? { text: choice.replyText ?? choice.text, mcrMessageReply: true }
    : { text: shown, mcrMessageReply: false };
}

function answerReply(origin: WctpOrigin, state: RecipientState): { text: string; mcrMessageReply: boolean } {
  const words = ANSWER_WORDS[state] ?? [];
  const offered = origin.choices?.find((c) => words.includes(c.text.trim().toLowerCase()));
  if (offered) return { text: offered.replyText ?? offered.text, mcrMessageReply: true };
  return { text: ANSWER_TEXT[state] ?? state, mcrMessageReply: false };
}
