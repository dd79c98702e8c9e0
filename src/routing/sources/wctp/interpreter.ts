/**
 * Routing for messages the WCTP gateway stored: wctp-SubmitRequest, wctp-SubmitClientMessage and
 * wctp-SendMsgMulti become alerts. The recipientID picks who (address book); for a nurse call the event
 * and the bed pick the route; the sender's delivery options are kept in `alert.context.wctp` so that
 * status and replies can go back (status-reporter.ts, which also says QUEUED when asked).
 */
import {
  type DeliveryPriority,
  type Payload,
  parseWctp,
  type Recipient,
  type SendMsgMulti,
  type SubmitClientMessage,
  type SubmitRequest,
  type WctpRequest,
} from '../../../protocols/wctp/index.ts';
import type { WctpOrigin } from '../../../protocols/wctp/notice.ts';
import type { MessageStatus } from '../../../store/port.ts';
import type { InboundEvent } from '../../inbound-port.ts';
import type { MessageInterpreter, RouteContext } from '../../interpreter.ts';
import { describeLocation } from '../../patient-context.ts';
import type { Priority, RecipientSpec } from '../../rules/types.ts';
import type { WctpAddressBook } from './address-book.ts';
import type { WctpBackChannel } from './back-channel.ts';
import { nurseCallRecipients, readNurseCall } from './nurse-call.ts';
import type { WctpRoutingTable } from './routing-table.ts';

/** The listener name WCTP messages are stored under. */
export const WCTP_LISTENER = 'wctp';

const fromDeliveryPriority: Record<DeliveryPriority, Priority> = {
  HIGH: 'high',
  NORMAL: 'normal',
  LOW: 'low',
};

type Routable = SubmitRequest | SubmitClientMessage | SendMsgMulti;

export class WctpInterpreter implements MessageInterpreter {
  readonly name = 'wctp';

  constructor(
    private readonly book: WctpAddressBook,
    private readonly table: () => WctpRoutingTable,
    private readonly back: WctpBackChannel,
  ) {}

  async interpret(
    event: InboundEvent,
    _message: unknown,
    ctx: RouteContext,
  ): Promise<{ status: MessageStatus; detail: string } | undefined> {
    if (event.listener !== WCTP_LISTENER) return undefined;
    // The gateway hands over the request it parsed, as it reads from the stored text; after a restart
    // only the text is there.
    const request = (event.read as WctpRequest | undefined) ?? parseWctp(event.raw.toString('utf8'));
    if (
      request.operation !== 'SubmitRequest' &&
      request.operation !== 'SubmitClientMessage' &&
      request.operation !== 'SendMsgMulti'
    ) {
      return { status: 'unrouted', detail: `wctp-${request.operation} carries no message to route` };
    }
    const recipients = request.operation === 'SendMsgMulti' ? request.recipients : [request.recipient];
    const outcomes: string[] = [];
    for (const recipient of recipients) outcomes.push(await this.raise(request, recipient, event, ctx));
    return {
      status: outcomes.some((o) => o.startsWith('alert')) ? 'routed' : 'unrouted',
      detail: outcomes.join('; '),
    };
  }

  private async raise(
    op: Routable,
    recipient: Recipient,
    event: InboundEvent,
    ctx: RouteContext,
  ): Promise<string> {
    const origin = originOf(op, recipient, event.messageId);
    const dest = this.book.lookup(recipient.recipientID);
    if (!dest) {
      // Known when the gateway confirmed it; the directory or the table changed since. (SendMsgMulti's
      // unknown recipients were already listed in its answer.)
      if (op.operation !== 'SendMsgMulti')
        this.back.send(
          origin,
          { kind: 'failure', code: 403, detail: 'the recipient is no longer known' },
          { alertId: 0 },
        );
      return `recipient ${recipient.recipientID} is not known (any more)`;
    }
    const table = this.table();
    const text = payloadText(op.payload);
    const reasons = [`wctp-${op.operation} from ${origin.senderID} to ${dest.recipientID}: ${dest.why}`];
    const delivery = fromDeliveryPriority[origin.deliveryPriority];
    let priority: Priority = dest.priority ?? delivery;
    let to: readonly RecipientSpec[] = dest.to ?? [];
    let location = dest.location;
    let callback = dest.callback;
    let policyId = dest.escalation;
    let nurseCall: Record<string, string> | undefined;
    if (dest.nurseCall) {
      const reading = readNurseCall(text, dest, table);
      // A recognised event says how urgent it is; a nurse-call system's deliveryPriority is coarse.
      priority = dest.priority ?? reading.event?.priority ?? delivery;
      const chosen = nurseCallRecipients(reading.event, priority, table);
      to = chosen.to;
      location = reading.location;
      callback = reading.callback;
      policyId = dest.escalation ?? reading.event?.escalation ?? table.nurseCall.escalation;
      reasons.push(
        reading.event
          ? `event ${reading.event.id} (${reading.namedBy})`
          : 'no known event named: deliveryPriority decides',
        chosen.why,
      );
      nurseCall = { event: reading.event?.id ?? 'call' };
    }
    const policy = policyId ? ctx.rules.policy(policyId) : undefined;
    if (policyId && !policy) {
      ctx.log.warn(
        { policy: policyId },
        'WCTP route names an escalation policy the rules folder does not have',
      );
      reasons.push(`escalation policy ${policyId} not found: notified once`);
    }
    const where = location ? describeLocation(location) : '';
    const lines = text.split(/\r?\n/).filter((l) => l.trim());
    const first = lines[0]?.trim() ?? '(empty message)';
    const title = first.length > 140 ? `${first.slice(0, 139)}…` : first;
    const alert = await ctx.service.raise({
      messageId: event.messageId,
      source: WCTP_LISTENER,
      ruleId: dest.ruleId,
      title,
      body: text.trim() === title ? '' : text.trim(),
      priority,
      patient: location ? ({ mrn: '', location, where } as never) : undefined,
      recipients: to,
      policy,
      context: {
        wctp: origin,
        ...(origin.choices?.length && origin.allowResponse
          ? { choices: origin.choices.map((c) => c.text) }
          : {}),
        ...(callback ? { callback } : {}),
        ...(nurseCall ? { nurseCall: { ...nurseCall, ...(where ? { where } : {}) } } : {}),
      },
      reasons,
    });
    return `alert ${alert.id}`;
  }
}

/** A transient client's tracking number is the stored message's id (the listener answers with it). */
export function trackingNumberOf(messageId: number): string {
  return String(messageId);
}

function originOf(op: Routable, recipient: Recipient, messageId: number): WctpOrigin {
  const control = op.messageControl;
  const transient = op.operation === 'SubmitClientMessage';
  const origin: WctpOrigin = {
    senderID: op.originator.senderID,
    recipientID: recipient.recipientID,
    // A transient client has no messageID: its tracking number stands in for it.
    messageID: transient
      ? trackingNumberOf(messageId)
      : (control as SubmitRequest['messageControl']).messageID,
    ...(control.notifyWhenQueued ? { notifyWhenQueued: true } : {}),
    notifyWhenDelivered: control.notifyWhenDelivered,
    notifyWhenRead: control.notifyWhenRead,
    allowResponse: control.allowResponse,
    deliveryPriority: control.deliveryPriority,
  };
  if (transient) origin.trackingNumber = trackingNumberOf(messageId);
  else {
    const mc = control as SubmitRequest['messageControl'];
    if (mc.transactionID) origin.transactionID = mc.transactionID;
    if (mc.sendResponsesToID) origin.sendResponsesToID = mc.sendResponsesToID;
  }
  if (op.submitTimestamp) origin.submitTimestamp = op.submitTimestamp;
  if (op.payload.kind === 'multipleChoice') origin.choices = op.payload.choices;
  return origin;
}

/** The message text: alphanumeric as sent, MCR's text, transparent data only when it is plain text. */
export function payloadText(payload: Payload): string {
  switch (payload.kind) {
    case 'alphanumeric':
      return payload.text;
    case 'multipleChoice':
      return payload.messageText;
    case 'transparent':
      return new TextDecoder('utf-8', { fatal: false }).decode(payload.bytes);
  }
}
