/**
 * SIP MESSAGE in (RFC 3428): a nurse-call server or a PBX sends a short text to a number; it becomes an
 * alert like any other source. As with HL7, the request is stored durably before it is answered (200),
 * and a repeated request (same Call-ID and CSeq from the same sender: a retransmission that outlived its
 * transaction, or a resend after our answer was lost) is answered again, never routed twice.
 */
import { buildResponse } from '../../protocols/sip/build.ts';
import type { RequestSource } from '../../protocols/sip/hop.ts';
import { newTag } from '../../protocols/sip/ids.ts';
import type { SipRequest } from '../../protocols/sip/message.ts';
import { serializeMessage } from '../../protocols/sip/serializer.ts';
import type { ServerTransaction } from '../../protocols/sip/transaction-layer.ts';
import { unescapeUriPart } from '../../protocols/sip/uri.ts';
import type { InboundPort } from '../../routing/inbound-port.ts';
import type { MessageStore } from '../../store/port.ts';

export class MessageIntake {
  constructor(
    private readonly messages: MessageStore,
    private readonly inbound: InboundPort,
    private readonly clock: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  handle(request: SipRequest, tx: ServerTransaction, source: RequestSource): void {
    const toTag = newTag();
    if (request.body.length === 0) {
      tx.respond(buildResponse(request, 400, { toTag, reason: 'MESSAGE without a body' }));
      return;
    }
    const from = request.from.uri;
    const dialled = request.uri.kind === 'sip' ? unescapeUriPart(request.uri.user ?? '') : '';
    // The stored bytes are the request as parsed, re-serialised (the transport hands up parsed messages).
    const raw = serializeMessage(request);
    this.messages
      .saveInbound({
        listener: 'sip',
        peer: `${source.address}:${source.port}`,
        sendingApplication: from.kind === 'sip' ? unescapeUriPart(from.user ?? '') : from.scheme,
        sendingFacility: from.kind === 'sip' ? from.host : '',
        receivingApplication: dialled,
        receivingFacility: '',
        messageType: 'MESSAGE',
        triggerEvent: '',
        controlId: `${request.callId}:${request.cseq.seq}`,
        receivedAt: new Date(this.clock()),
        raw,
      })
      .then(
        (saved) => {
          tx.respond(buildResponse(request, 200, { toTag }));
          if (!saved.duplicate) this.inbound.accept({ messageId: saved.id, listener: 'sip', raw });
        },
        (err) => {
          this.onError(err);
          tx.respond(buildResponse(request, 500, { toTag, reason: 'Could not store the message' }));
        },
      );
  }
}
