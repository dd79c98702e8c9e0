/**
 * The WCTP carrier side: one request document in, one answer document out (WCTP 1.3 over HTTP: the
 * HTTP status stays 200 whatever the WCTP outcome; http.ts does the transport). Parsing is lenient
 * (the codec), answers are strict (the codec's builders, valid against the 1.3 DTD).
 *
 * A message (SubmitRequest, SubmitClientMessage, SendMsgMulti) is checked — sender, recipient, length,
 * choices, delivery window — then stored durably, and only then confirmed; a repeated messageID from
 * the same sender is confirmed again and not routed twice. Status and replies go back through the
 * outbox (push; poll and client query read the store's pickup boxes).
 */
import type { Logger } from 'pino';
import {
  buildClientQueryResponse,
  buildConfirmation,
  buildDeviceLocationResponse,
  buildErrorResponse,
  buildFailureResponse,
  buildLookupResponse,
  buildPollResponse,
  buildSendMsgMultiResponse,
  buildSubmitClientResponse,
  buildVersionResponse,
  type ClientQuery,
  type DeviceLocation,
  decodeBody,
  type FailedRecipient,
  type FailureResponseOptions,
  formatWctpTimestamp,
  isWctpError,
  type LookupSubscriber,
  type Payload,
  type PollForMessages,
  parseWctp,
  parseWctpTimestamp,
  type SendMsgMulti,
  type SubmitClientMessage,
  type SubmitRequest,
  type VersionQuery,
  WCTP_DTD_SUPPORT,
  WctpCode,
  type WctpEnvelope,
  type WctpRequest,
  wctpFailure,
  wctpSuccess,
} from '../../protocols/wctp/index.ts';
import type { InboundPort } from '../../routing/inbound-port.ts';
import type { MessageStore, SaveResult } from '../../store/port.ts';
import type { WctpGatewayOptions } from './options.ts';
import type { WctpPickups } from './pickups.ts';
import type { WctpSenders } from './senders.ts';

export const WCTP_LISTENER = 'wctp';

export interface GatewayDeps {
  options: WctpGatewayOptions;
  senders: WctpSenders;
  /** Whether a recipientID names anyone (the routing core's address book). */
  knowsRecipient: (recipientID: string) => boolean;
  store: MessageStore;
  inbound: InboundPort;
  /** The store's pickup boxes of polls and ClientQuery. */
  outbox: Pick<WctpPickups, 'poll' | 'takeForClient'>;
  /**
   * Puts every write so far on the disk (the store's durable()): a poll or ClientQuery clears pickups
   * before its answer says they were handed over. A message waits for its own durable write instead.
   */
  durable: () => Promise<void>;
  now: () => Date;
  log: Logger;
}

/** A refusal decided while checking a request: a WCTP code and its reason in plain words. */
class Refusal {
  constructor(
    readonly code: number,
    readonly detail: string,
  ) {}
}

type Message = SubmitRequest | SubmitClientMessage | SendMsgMulti;

/** What a request addressed to one recipient by a registered sender has. */
interface Addressed {
  originator: { senderID: string; securityCode?: string; miscInfo?: string };
  recipient: { recipientID: string };
}

export class WctpGateway {
  private readonly failureOptions: FailureResponseOptions;

  constructor(private readonly deps: GatewayDeps) {
    this.failureOptions = { gatewayID: deps.options.gatewayId, maxNumRecips: deps.options.maxRecipients };
  }

  /** Answers one request body. Never throws: whatever goes wrong becomes a WCTP failure. */
  async handle(body: Buffer | string, contentType: string | undefined, peer: string): Promise<string> {
    let xml: string;
    let request: WctpRequest;
    try {
      xml = decodeBody(body, contentType);
      request = parseWctp(xml);
    } catch (error) {
      if (isWctpError(error)) {
        this.deps.log.info({ peer, code: error.code, reason: error.text }, 'WCTP request refused');
        return buildErrorResponse(error, this.failureOptions);
      }
      this.deps.log.error({ err: error, peer }, 'WCTP request could not be read');
      return buildFailureResponse(wctpFailure(WctpCode.InternalServerError), undefined, this.failureOptions);
    }
    try {
      return await this.answer(request, xml, peer);
    } catch (error) {
      if (error instanceof Refusal) {
        this.deps.log.info(
          { peer, operation: request.operation, code: error.code, reason: error.detail },
          'WCTP request refused',
        );
        return buildFailureResponse(wctpFailure(error.code, error.detail), request, this.failureOptions);
      }
      this.deps.log.error({ err: error, peer, operation: request.operation }, 'WCTP request failed');
      return buildFailureResponse(
        wctpFailure(WctpCode.InternalServerError, 'the gateway failed; send it again later'),
        request,
        this.failureOptions,
      );
    }
  }

  private answer(request: WctpRequest, xml: string, peer: string): Promise<string> | string {
    const token = request.wctpToken ? { wctpToken: request.wctpToken } : {};
    switch (request.operation) {
      case 'SubmitRequest':
        return this.submit(request, xml, peer, token);
      case 'SubmitClientMessage':
        return this.submitClient(request, xml, peer, token);
      case 'SendMsgMulti':
        return this.sendMulti(request, xml, peer, token);
      case 'ClientQuery':
        return this.clientQuery(request, token);
      case 'PollForMessages':
        return this.pollForMessages(request, peer, token);
      case 'VersionQuery':
        return this.version(request, token);
      case 'LookupSubscriber':
        return this.lookup(request, peer, token);
      case 'DeviceLocation':
        return this.deviceLocation(request, peer, token);
      default:
        throw new Refusal(
          WctpCode.OperationNotSupported,
          `wctp-${request.operation} is not a request this gateway answers`,
        );
    }
  }

  // ------------------------------------------------------------ messages

  private async submit(
    op: SubmitRequest & WctpEnvelope,
    xml: string,
    peer: string,
    token: object,
  ): Promise<string> {
    await this.admit(op, peer);
    this.checkMessage(op);
    const saved = await this.store(op, op.messageControl.messageID, xml, peer);
    const code = op.version === '1.0' ? WctpCode.DeprecatedVersion : WctpCode.Success;
    return buildConfirmation(wctpSuccess(code, saved.duplicate ? 'already accepted' : 'accepted'), token);
  }

  private async submitClient(
    op: SubmitClientMessage,
    xml: string,
    peer: string,
    token: object,
  ): Promise<string> {
    // Transient clients carry their password in miscInfo (WCTP 1.3, wctp-ClientOriginator).
    await this.authenticate(
      op.originator.senderID,
      op.originator.miscInfo ?? op.originator.securityCode,
      peer,
      true,
    );
    this.checkRecipient(op.recipient.recipientID);
    this.checkMessage(op);
    const saved = await this.store(op, `client-${crypto.randomUUID()}`, xml, peer);
    return buildSubmitClientResponse(
      { kind: 'success', code: WctpCode.Success, text: 'Success', trackingNumber: String(saved.id) },
      token,
    );
  }

  private async sendMulti(op: SendMsgMulti, xml: string, peer: string, token: object): Promise<string> {
    await this.authenticate(
      op.originator.senderID,
      op.originator.securityCode ?? op.originator.miscInfo,
      peer,
      false,
    );
    const max = this.deps.options.maxRecipients;
    if (op.recipients.length > max)
      throw new Refusal(WctpCode.SubscriberLimitExceeded, `at most ${max} recipients per wctp-SendMsgMulti`);
    this.checkMessage(op);
    const failed: FailedRecipient[] = op.recipients
      .filter((r) => !this.deps.knowsRecipient(r.recipientID))
      .map((r) => ({
        recipientID: r.recipientID,
        code: WctpCode.InvalidRecipientId,
        text: 'Invalid recipientID',
      }));
    const valid = op.recipients.length - failed.length;
    const base = {
      maxNumRecips: max,
      numValidRecips: valid,
      numInvalidRecips: failed.length,
      failedRecipients: failed,
    };
    if (valid === 0 || (failed.length > 0 && op.messageControl.allRecipsRequired)) {
      return buildSendMsgMultiResponse(
        {
          ...base,
          result: wctpFailure(
            WctpCode.InvalidRecipientId,
            valid === 0 ? 'no recipient is known' : 'allRecipsRequired and a recipient is not known',
          ),
        },
        token,
      );
    }
    const saved = await this.store(op, op.messageControl.messageID, xml, peer);
    return buildSendMsgMultiResponse(
      { ...base, result: wctpSuccess(WctpCode.Success, saved.duplicate ? 'already accepted' : 'accepted') },
      token,
    );
  }

  /** What every message must pass before it is stored. */
  private checkMessage(op: Message): void {
    const { options } = this.deps;
    const text = checkedText(op.payload);
    if (text.length > options.maxMessageLength && !op.messageControl.allowTruncation)
      throw new Refusal(
        WctpCode.MessageTooLong,
        `the text is longer than ${options.maxMessageLength} characters`,
      );
    if (op.payload.kind === 'multipleChoice' && op.payload.choices.length > options.maxChoices)
      throw new Refusal(WctpCode.TooManyMcrChoices, `at most ${options.maxChoices} choices`);
    const now = this.deps.now().getTime();
    const { deliveryBefore, deliveryAfter } = op.messageControl;
    if (deliveryBefore && parseWctpTimestamp(deliveryBefore, 'deliveryBefore').getTime() < now)
      throw new Refusal(WctpCode.DateTimeExpired, 'deliveryBefore has already passed');
    // Alerts go out now; deferring one to a later time is not something this gateway does.
    if (deliveryAfter && parseWctpTimestamp(deliveryAfter, 'deliveryAfter').getTime() > now + 60_000)
      throw new Refusal(
        WctpCode.FunctionNotSupported,
        'deferred delivery (deliveryAfter in the future) is not offered',
      );
  }

  /**
   * Stores the document durably: the decoded XML (what a form-encoded body carried), with the sender's
   * secrets blanked, since analysts read stored messages in the inbox. Routing gets the message once its
   * row is committed, while the commit is still being flushed (as the store port intends), so the alert
   * is raised during the flush; the sender is confirmed only once the flush is done.
   */
  private async store(op: Message, controlId: string, document: string, peer: string) {
    let hidden = 0;
    const xml = withoutSecrets(document, () => hidden++);
    const raw = Buffer.from(xml, 'utf8');
    let handedOver = false;
    const handOver = (saved: SaveResult) => {
      if (handedOver || saved.duplicate) return;
      handedOver = true;
      try {
        const read = asStored(op, hidden);
        this.deps.inbound.accept({
          messageId: saved.id,
          listener: WCTP_LISTENER,
          raw,
          ...(read ? { read } : {}),
        });
      } catch (err) {
        this.deps.log.error(
          { err, messageId: saved.id },
          'routing core refused a stored WCTP message; it stays received',
        );
      }
    };
    let saved: SaveResult;
    try {
      saved = await this.deps.store.saveInbound(
        {
          listener: WCTP_LISTENER,
          peer,
          sendingApplication: op.originator.senderID,
          sendingFacility: '',
          receivingApplication: this.deps.options.gatewayId,
          receivingFacility: '',
          messageType: 'WCTP',
          triggerEvent: op.operation,
          controlId,
          receivedAt: this.deps.now(),
          raw,
        },
        handOver,
      );
    } catch (err) {
      // Routed already if the commit went through and only its flush failed: a resend is then a repeat,
      // confirmed and not routed twice.
      this.deps.log.error({ err, peer }, 'could not store WCTP message');
      throw new Refusal(WctpCode.InternalServerError, 'the message could not be stored; send it again later');
    }
    if (saved.duplicate) {
      this.deps.log.info(
        { peer, messageId: saved.id },
        'repeated WCTP messageID confirmed again, not routed twice',
      );
      return saved;
    }
    // A store that does not report the commit on its own.
    handOver(saved);
    return saved;
  }

  // ------------------------------------------------------------ queries

  private async clientQuery(op: ClientQuery, token: object): Promise<string> {
    const unknown = new Refusal(
      WctpCode.UnknownMessageReference,
      'no message has that trackingNumber for this sender and recipient',
    );
    if (!/^\d{1,15}$/.test(op.trackingNumber)) throw unknown;
    const stored = await this.deps.store.get(Number(op.trackingNumber));
    if (
      !stored ||
      stored.listener !== WCTP_LISTENER ||
      stored.triggerEvent !== 'SubmitClientMessage' ||
      stored.sendingApplication.toLowerCase() !== op.senderID.trim().toLowerCase()
    )
      throw unknown;
    const original = parseWctp(stored.raw.toString('utf8'));
    if (original.operation !== 'SubmitClientMessage' || original.recipient.recipientID !== op.recipientID)
      throw unknown;
    const messages = await this.deps.outbox.takeForClient(op.trackingNumber);
    await this.deps.durable();
    return buildClientQueryResponse(
      {
        minNextPollInterval: this.deps.options.pollIntervalSeconds,
        result: messages.length ? { kind: 'messages', messages } : { kind: 'none' },
      },
      token,
    );
  }

  private async pollForMessages(op: PollForMessages, peer: string, token: object): Promise<string> {
    await this.authenticate(op.pollerID, op.securityCode, peer, false, WctpCode.InvalidPollerCredentials);
    const messages = await this.deps.outbox.poll(op.pollerID, op.received, op.maxMessagesInBatch ?? 10);
    await this.deps.durable();
    return buildPollResponse(
      {
        minNextPollInterval: this.deps.options.pollIntervalSeconds,
        result: messages.length ? { kind: 'messages', messages } : { kind: 'none' },
      },
      token,
    );
  }

  private version(op: VersionQuery, token: object): string {
    return buildVersionResponse(
      {
        responder: this.deps.options.gatewayId,
        dateTimeOfRsp: formatWctpTimestamp(this.deps.now()),
        inquirer: op.inquirer,
        ...(op.dateTime && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(op.dateTime)
          ? { dateTimeOfReq: op.dateTime }
          : {}),
        result: { kind: 'dtds', dtds: WCTP_DTD_SUPPORT },
      },
      token,
    );
  }

  private async lookup(op: LookupSubscriber, peer: string, token: object): Promise<string> {
    await this.admit(op, peer);
    return buildLookupResponse(
      {
        ...this.answerHeader(op),
        result: {
          kind: 'lookup',
          maxMessageLength: this.deps.options.maxMessageLength,
          mcrSupported: true,
          canRespond: true,
        },
      },
      token,
    );
  }

  private async deviceLocation(op: DeviceLocation, peer: string, token: object): Promise<string> {
    await this.admit(op, peer);
    // We know which bed a nurse call came from and who covers it, never where a device is: say so.
    return buildDeviceLocationResponse(
      {
        ...this.answerHeader(op),
        result: wctpFailure(WctpCode.FunctionNotSupported, 'this gateway does not track where devices are'),
      },
      token,
    );
  }

  // ------------------------------------------------------------ checks

  /** `peer` is the client's `address:port`; failures are counted per sender and per address. */
  private async authenticate(
    senderID: string,
    secret: string | undefined,
    peer: string,
    transient: boolean,
    badSecretCode?: number,
  ) {
    const address = peer.slice(0, Math.max(0, peer.lastIndexOf(':'))) || peer;
    const result = await this.deps.senders.check(senderID, secret, { transient, badSecretCode, address });
    if (!result.ok) throw new Refusal(result.code, result.detail);
  }

  /** A registered sender's credentials (securityCode, or a password in miscInfo) and a known recipient. */
  private async admit(op: Addressed, peer: string): Promise<void> {
    await this.authenticate(
      op.originator.senderID,
      op.originator.securityCode ?? op.originator.miscInfo,
      peer,
      false,
    );
    this.checkRecipient(op.recipient.recipientID);
  }

  /** The header every answer about one request carries: which message, from this gateway, to whom. */
  private answerHeader(op: Addressed & { messageControl: { messageID: string; transactionID?: string } }) {
    return {
      responseToMessageID: op.messageControl.messageID,
      ...(op.messageControl.transactionID ? { transactionID: op.messageControl.transactionID } : {}),
      originator: { senderID: this.deps.options.gatewayId },
      recipient: { recipientID: op.recipient.recipientID },
    };
  }

  private checkRecipient(recipientID: string): void {
    if (!this.deps.knowsRecipient(recipientID))
      throw new Refusal(WctpCode.InvalidRecipientId, 'the recipient is not known to this gateway');
  }
}

const HIDDEN = '(hidden)';

/**
 * Blanks securityCode and miscInfo (a transient client's password) wherever they stand, in any case;
 * `onHidden` hears of each one blanked.
 */
export function withoutSecrets(xml: string, onHidden?: () => void): string {
  return xml.replace(/(\s(?:securityCode|miscInfo)\s*=\s*)("[^"]*"|'[^']*')/gi, (_all, name: string) => {
    onHidden?.();
    return `${name}"${HIDDEN}"`;
  });
}

/**
 * The request as routing would read it from the stored text, which has its secrets blanked, so routing
 * need not parse the document a second time. Undefined when something other than the originator's
 * securityCode and miscInfo was blanked (`hidden` counts them): routing then reads the stored text.
 */
function asStored(op: Message, hidden: number): Message | undefined {
  const o = op.originator;
  const secrets = (o.securityCode === undefined ? 0 : 1) + (o.miscInfo === undefined ? 0 : 1);
  if (hidden !== secrets) return undefined;
  if (secrets === 0) return op;
  const originator = {
    ...o,
    ...(o.securityCode === undefined ? {} : { securityCode: HIDDEN }),
    ...(o.miscInfo === undefined ? {} : { miscInfo: HIDDEN }),
  };
  return { ...op, originator } as Message;
}

/** The text a payload carries; binary TransparentData is refused (430), text sent that way is read. */
function checkedText(payload: Payload): string {
  switch (payload.kind) {
    case 'alphanumeric':
      return payload.text;
    case 'multipleChoice':
      return [payload.messageText, ...payload.choices.map((c) => c.text)].join('\n');
    case 'transparent': {
      try {
        const text = new TextDecoder('utf-8', { fatal: true }).decode(payload.bytes);
        if (!/[\u0000-\u0008\u000e-\u001f]/.test(text)) return text;
      } catch {
        // not UTF-8: binary
      }
      throw new Refusal(
        WctpCode.BinaryNotSupported,
        "binary wctp-TransparentData is not shown on clinicians' devices",
      );
    }
  }
}
