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
import type { InboundPort } from '../../routing/inbound-port.ts';
import type { MessageStore } from '../../store/port.ts';

export interface ReceiveContext {
  store: Pick<MessageStore, 'saveInbound'>;
  inbound: InboundPort;
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
  messageId?: number;
  duplicate?: boolean;
}

/**
 * One MLLP frame in, one acknowledgement out. The ACK is decided only after the store has committed the
 * raw bytes: AA/CA when stored (or already stored: a repeated MSH-10 from the same sender is acknowledged
 * again but not stored or routed twice), AR with ERR when the message cannot be parsed or cannot be stored.
 * Never throws: whatever goes wrong becomes a NAK.
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

  // Routing takes the message once it is committed and works while the commit is flushed to the disk;
  // the ACK waits for the disk.
  const handOver = (committed: { id: number; duplicate: boolean }) => {
    if (committed.duplicate) return;
    try {
      ctx.inbound.accept({ messageId: committed.id, listener: ctx.listener, raw: body });
    } catch (error) {
      ctx.log.error(
        { err: error, messageId: committed.id },
        'routing core refused a stored message; it stays received',
      );
    }
  };
  let saved: { id: number; duplicate: boolean };
  try {
    saved = await ctx.store.saveInbound(
      {
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
      },
      handOver,
    );
  } catch (error) {
    // Not stored, so not accepted: AR/CR tells the sender to send it again later.
    ctx.log.error({ err: error, peer, controlId: header.controlId }, 'could not store HL7 message');
    const code = mode.enhanced ? 'CR' : 'AR';
    return {
      code,
      ack: reply(code, 'message could not be stored; send it again', {
        code: '207',
        severity: 'E',
        text: 'storage unavailable',
      }),
    };
  }

  const code = mode.enhanced ? 'CA' : 'AA';
  if (saved.duplicate) {
    ctx.log.info(
      { peer, controlId: header.controlId, messageId: saved.id },
      'duplicate HL7 message acknowledged again',
    );
  } else {
    ctx.log.debug(
      {
        peer,
        type: `${header.messageType}^${header.triggerEvent}`,
        controlId: header.controlId,
        messageId: saved.id,
      },
      'stored HL7 message',
    );
  }
  return { code, ack: reply(code), messageId: saved.id, duplicate: saved.duplicate };
}
