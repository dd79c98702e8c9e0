import type { Logger } from 'pino';
import {
  type AckCode,
  type AckError,
  ackMode,
  buildAck,
  buildRejectAck,
  Hl7ParseError,
  type MessageHeader,
  parseHeader,
} from '../../protocols/hl7/index.ts';
import type { InboxPort } from '../../store/inbox-port.ts';
import { senderName } from './traffic-tally.ts';

export interface ReceiveContext {
  inbox: InboxPort;
  log: Logger;
  nextControlId: () => string;
  /** How Switchboard names itself in the ACK's MSH-3/MSH-4. */
  application: string;
  facility: string;
  listener: string;
  now?: () => Date;
}

export interface ReceiveOutcome {
  /** The framed-body text of the ACK to send back, or null when the sender asked for none (MSH-15 NE). */
  ack: string | null;
  code: AckCode;
  /** MSH-3 and MSH-4 as the listener counts them (see traffic-tally.ts); absent when the header was unreadable. */
  sender?: string;
}

/**
 * One MLLP frame in, one acknowledgement out. The ACK is decided only after the inbox has the raw bytes
 * durably: AA/CA when accepted, AR with ERR when the message cannot be parsed or cannot be kept. A
 * repeated MSH-10 from the same sender is accepted and acknowledged like any other; the store recognises
 * it when it writes the row, and neither stores nor routes it twice. Never throws: whatever goes wrong
 * becomes a NAK.
 */
export async function receiveFrame(ctx: ReceiveContext, body: Buffer, peer: string): Promise<ReceiveOutcome> {
  const now = ctx.now?.() ?? new Date();
  let header: MessageHeader;
  try {
    header = parseHeader(body);
  } catch (error) {
    const err =
      error instanceof Hl7ParseError ? error : { code: '207', text: 'could not read the message header' };
    ctx.log.warn(
      { peer, code: err.code, reason: (error as Error).message },
      'rejected unparseable HL7 message',
    );
    return {
      code: 'AR',
      ack: buildRejectAck(body, err, { controlId: ctx.nextControlId(), now, text: (error as Error).message }),
    };
  }

  const mode = ackMode(header);
  const sender = senderName(header.sendingApplication, header.sendingFacility);
  const reply = (code: AckCode, text?: string, error?: AckError): string | null => {
    if (mode.enhanced) {
      const ok = code === 'CA';
      if (!(ok ? mode.commitAckOnSuccess : mode.commitAckOnError)) {
        // No commit ACK wanted. A sender that asked only for the application ACK (MSH-15 NE, MSH-16 AL/SU/ER)
        // gets it on this connection: once stored and queued for routing, the message is accepted.
        if (!(ok ? mode.applicationAckOnSuccess : mode.applicationAckOnError)) return null;
        code = ok ? 'AA' : 'AR';
      }
    }
    return buildAck(header, {
      code,
      controlId: ctx.nextControlId(),
      now,
      text,
      error,
      receivingApplication: ctx.application,
      receivingFacility: ctx.facility,
    });
  };

  try {
    await ctx.inbox.accept({
      listener: ctx.listener,
      peer,
      sendingApplication: header.sendingApplication,
      sendingFacility: header.sendingFacility,
      receivingApplication: header.receivingApplication,
      receivingFacility: header.receivingFacility,
      messageType: header.messageType,
      triggerEvent: header.triggerEvent,
      controlId: header.controlId,
      receivedAt: now,
      raw: body,
    });
  } catch (error) {
    // Not kept, so not accepted: AR/CR tells the sender to send it again later.
    ctx.log.error(
      { err: error, peer, controlId: header.controlId },
      'the inbox could not keep an HL7 message',
    );
    const code = mode.enhanced ? 'CR' : 'AR';
    return {
      code,
      sender,
      ack: reply(code, 'message could not be stored; send it again', {
        code: '207',
        severity: 'E',
        text: 'storage unavailable',
      }),
    };
  }

  const code = mode.enhanced ? 'CA' : 'AA';
  ctx.log.debug(
    { peer, type: `${header.messageType}^${header.triggerEvent}`, controlId: header.controlId },
    'accepted HL7 message',
  );
  return { code, sender, ack: reply(code) };
}
