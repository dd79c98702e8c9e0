/**
 * Status and replies back to the WCTP sender, as the alert moves (WCTP 1.3 wctp-StatusInfo and
 * wctp-MessageReply):
 * - the first recipient's device shows the alert → DELIVERED, when the sender set notifyWhenDelivered;
 * - the first recipient opens it → READ, when the sender set notifyWhenRead;
 * - a clinician answers, when the sender set allowResponse → a MessageReply: the chosen answer (with
 *   MCRMessageReply="true" and the choice's reply text), or, for accept / reject / acknowledge, the offered
 *   choice of that name ("Accept", "Reject"...), or without choices the answer in words.
 * - the alert was raised → QUEUED, when the sender set notifyWhenQueued.
 * Each is a 'wctp-status' outbox row the alert store writes with the change (a NoticePlanner), with a
 * once-key so it goes once per alert, even across a restart; src/delivery/wctp/ sends it.
 */

import type { WctpOrigin, WctpResponse } from '../../../protocols/wctp/notice.ts';
import type { Alert, RecipientState } from '../../../store/alert-port.ts';
import type { NewDelivery } from '../../../store/outbox-port.ts';
import type { NoticePlanner } from '../../notifications.ts';
import { wctpNotice } from './back-channel.ts';
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

export class WctpStatusReporter implements NoticePlanner {
  raised(alert: Alert): NewDelivery[] {
    const origin = originOf(alert);
    if (!origin?.notifyWhenQueued) return [];
    return [notice(alert, origin, 'QUEUED', { kind: 'status', type: 'QUEUED' })];
  }

  recipientChanged(alert: Alert, personId: string, state: RecipientState): NewDelivery[] {
    const origin = originOf(alert);
    if (!origin) return [];
    if (state === 'delivered' && origin.notifyWhenDelivered)
      return [notice(alert, origin, 'DELIVERED', { kind: 'status', type: 'DELIVERED' }, personId)];
    if (state === 'read' && origin.notifyWhenRead)
      return [notice(alert, origin, 'READ', { kind: 'status', type: 'READ' }, personId)];
    if ((state === 'accepted' || state === 'rejected') && origin.allowResponse) {
      // A reject is an answer of one clinician; the alert goes on to the next, so it may be answered again.
      const key = state === 'rejected' ? `rejected:${personId}` : 'answer';
      return [notice(alert, origin, key, { kind: 'reply', ...answerReply(origin, state) }, personId)];
    }
    return [];
  }

  alertChanged(alert: Alert): NewDelivery[] {
    const origin = originOf(alert);
    if (!origin?.allowResponse || alert.status !== 'acknowledged') return [];
    const personId = alert.acknowledgedBy ?? undefined;
    const chosen = typeof alert.context.reply === 'string' ? alert.context.reply : undefined;
    const reply = chosen !== undefined ? choiceReply(origin, chosen) : answerReply(origin, 'acknowledged');
    return [notice(alert, origin, 'answer', { kind: 'reply', ...reply }, personId)];
  }
}

function notice(
  alert: Alert,
  origin: WctpOrigin,
  what: string,
  response: WctpResponse,
  personId?: string,
): NewDelivery {
  return wctpNotice(
    { origin, response, ...(personId ? { personId } : {}) },
    alert.id,
    `wctp:${alert.id}:${what}`,
  );
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
