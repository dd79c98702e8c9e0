/**
 * SIP MESSAGE (RFC 3428) as a source of alerts: a nurse-call server or a PBX texts a number of the dial
 * plan ("4100", the hospitalist's short code; "7401", the nurse of 4W 401-A). The gateway stored the
 * request durably and answered it; here it becomes an alert for whoever that number reaches now, with
 * the sender's number kept as the "call back" target.
 */

import { getHeader, mediaType } from '../../../protocols/sip/message.ts';
import { parseMessage } from '../../../protocols/sip/parser.ts';
import { formatUri, unescapeUriPart } from '../../../protocols/sip/uri.ts';
import type { AlertPriority } from '../../../store/alert-port.ts';
import type { InboundEvent } from '../../inbound-port.ts';
import type { MessageInterpreter, RouteContext } from '../../interpreter.ts';
import type { PatientContext } from '../../model.ts';
import type { RecipientSpec } from '../../rules/types.ts';

/** What the interpreter needs of the dial plan. */
export interface MessageAddressing {
  recipientsFor(
    dialled: string,
  ):
    | { entry: { id: string }; recipients: RecipientSpec[]; location?: PatientContext['location'] }
    | undefined;
}

/** RFC 3261 section 20.26 Priority values, as alert priorities. */
const PRIORITY: Record<string, AlertPriority> = {
  emergency: 'urgent',
  urgent: 'high',
  normal: 'normal',
  'non-urgent': 'low',
};

const TITLE_MAX = 80;

export class SipMessageInterpreter implements MessageInterpreter {
  readonly name = 'sip-message';

  constructor(private readonly addressing: MessageAddressing) {}

  async interpret(event: InboundEvent, _hl7: unknown, ctx: RouteContext) {
    if (event.listener !== 'sip') return undefined;
    let request: ReturnType<typeof parseMessage>;
    try {
      request = parseMessage(event.raw, { framing: 'stream' });
    } catch (err) {
      return {
        status: 'failed' as const,
        detail: `stored SIP message does not parse: ${(err as Error).message}`,
      };
    }
    if (request.kind !== 'request' || request.method !== 'MESSAGE')
      return { status: 'failed' as const, detail: 'stored SIP message is not a MESSAGE request' };
    const dialled = request.uri.kind === 'sip' ? unescapeUriPart(request.uri.user ?? '') : '';
    const target = this.addressing.recipientsFor(dialled);
    if (!target)
      return { status: 'unrouted' as const, detail: `no dial-plan entry for ${dialled || '(no user)'}` };
    const type = mediaType(request) ?? 'text/plain';
    const text = type.startsWith('text/') ? request.body.toString('utf8').trim() : `(${type} message)`;
    const firstLine = text.split(/\r?\n/)[0] ?? '';
    const title =
      firstLine.length > TITLE_MAX ? `${firstLine.slice(0, TITLE_MAX - 1)}…` : firstLine || 'Message';
    const from = request.from.uri;
    const callback =
      from.kind === 'sip' ? unescapeUriPart(from.user ?? '') : from.kind === 'tel' ? from.number : '';
    const priority = PRIORITY[(getHeader(request, 'Priority') ?? '').trim().toLowerCase()] ?? 'normal';
    const alert = await ctx.service.raise({
      messageId: event.messageId,
      source: 'sip',
      ruleId: `dial-plan:${target.entry.id}`,
      title,
      body: text,
      priority,
      patient: target.location ? { mrn: '', location: target.location } : undefined,
      recipients: target.recipients,
      context: {
        sip: { from: formatUri(from), callId: request.callId, dialled },
        ...(callback ? { callback } : {}),
      },
      reasons: [`SIP MESSAGE to ${dialled} (dial plan entry ${target.entry.id})`],
    });
    return { status: 'routed' as const, detail: `alert ${alert.id} (dial plan ${target.entry.id})` };
  }
}
