/**
 * Writers for shared WCTP elements. Child elements and attributes come out in the order the 1.3 DTD
 * declares them; an attribute left undefined is not written, so the DTD default applies.
 *
 * Writers throw RangeError for input that no valid document could carry (a code that is not a
 * whole number, an empty choice list): that is a bug in the caller, found at once.
 */
import type {
  ClientOriginator,
  DeliveryOptionsInput,
  MessageControlInput,
  Notification,
  Originator,
  PayloadInput,
  Recipient,
  WctpFailure,
  WctpResult,
} from './types.ts';
import { element, type XmlNode } from './xml-writer.ts';

export function bool(value: boolean | undefined): string | undefined {
  return value === undefined ? undefined : value ? 'true' : 'false';
}

/** A status code or count as text; RangeError unless it is a whole number from 0. */
export function whole(value: number | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${what} must be a whole number, got ${value}`);
  return String(value);
}

export function nonEmpty<T>(list: readonly T[], what: string): readonly T[] {
  if (list.length === 0) throw new RangeError(`${what} needs at least one entry`);
  return list;
}

export function writeOriginator(originator: Originator): XmlNode {
  return element('wctp-Originator', [
    ['senderID', originator.senderID],
    ['securityCode', originator.securityCode],
    ['miscInfo', originator.miscInfo],
  ]);
}

/** wctp-ClientOriginator has no securityCode in any DTD: a transient client's password goes in miscInfo. */
export function writeClientOriginator(originator: ClientOriginator): XmlNode {
  return element('wctp-ClientOriginator', [
    ['senderID', originator.senderID],
    ['miscInfo', originator.miscInfo],
  ]);
}

export function writeRecipient(recipient: Recipient): XmlNode {
  return element('wctp-Recipient', [
    ['recipientID', recipient.recipientID],
    ['authorizationCode', recipient.authorizationCode],
  ]);
}

/** The DTD's attribute order for the delivery options (after messageID and transactionID). */
export function deliveryAttributes(o: DeliveryOptionsInput): [string, string | undefined][] {
  return [
    ['sendResponsesToID', o.sendResponsesToID],
    ['allowResponse', bool(o.allowResponse)],
    ['notifyWhenQueued', bool(o.notifyWhenQueued)],
    ['notifyWhenDelivered', bool(o.notifyWhenDelivered)],
    ['notifyWhenRead', bool(o.notifyWhenRead)],
    ['deliveryPriority', o.deliveryPriority],
    ['deliveryAfter', o.deliveryAfter],
    ['deliveryBefore', o.deliveryBefore],
    ['preformatted', bool(o.preformatted)],
    ['allowTruncation', bool(o.allowTruncation)],
  ];
}

export function writeMessageControl(control: MessageControlInput): XmlNode {
  return element('wctp-MessageControl', [
    ['messageID', control.messageID],
    ['transactionID', control.transactionID],
    ...deliveryAttributes(control),
  ]);
}

/** wctp-Payload ( wctp-MCR | wctp-Alphanumeric | wctp-TransparentData ). */
export function writePayload(payload: PayloadInput): XmlNode {
  return element('wctp-Payload', [], [writePayloadBody(payload)]);
}

function writePayloadBody(payload: PayloadInput): XmlNode {
  switch (payload.kind) {
    case 'alphanumeric':
      return element('wctp-Alphanumeric', [], payload.text);
    case 'multipleChoice':
      return element(
        'wctp-MCR',
        [],
        [
          element('wctp-MessageText', [], payload.messageText),
          ...nonEmpty(payload.choices, 'wctp-MCR choices').map((choice) =>
            choice.replyText === undefined
              ? element('wctp-Choice', [], choice.text)
              : element(
                  'wctp-ChoicePair',
                  [],
                  [
                    element('wctp-SendChoice', [], choice.text),
                    element('wctp-ReplyChoice', [], choice.replyText),
                  ],
                ),
          ),
        ],
      );
    case 'transparent':
      // Always base64: "standard" (raw text) cannot carry arbitrary bytes in XML.
      return element(
        'wctp-TransparentData',
        [
          ['type', payload.type],
          ['encoding', 'base64'],
        ],
        Buffer.from(payload.bytes).toString('base64'),
      );
  }
}

export function writeFailure(failure: Omit<WctpFailure, 'kind'>): XmlNode {
  return element(
    'wctp-Failure',
    [
      ['errorCode', whole(failure.code, 'errorCode')],
      ['errorText', failure.text],
    ],
    failure.detail ?? '',
  );
}

export function writeResult(result: WctpResult): XmlNode {
  if (result.kind === 'failure') return writeFailure(result);
  return element(
    'wctp-Success',
    [
      ['successCode', whole(result.code, 'successCode')],
      ['successText', result.text],
    ],
    result.detail ?? '',
  );
}

export function writeStatus(status: Notification | WctpFailure): XmlNode {
  if (status.kind === 'failure') return writeFailure(status);
  return element('wctp-Notification', [['type', status.type]]);
}
