/** One writer per WCTP 1.3 operation element, children in the DTD's order. */
import type {
  ClientMessageInput,
  ClientQuery,
  ClientQueryResponseInput,
  ContactInfo,
  DeviceLocationInput,
  DeviceLocationResponse,
  DtdSupportInput,
  LookupResponse,
  LookupSubscriber,
  MessageReceived,
  MessageReplyInput,
  PolledOperationInput,
  PollForMessages,
  PollResponseInput,
  SendMsgMultiInput,
  SendMsgMultiResponseInput,
  StatusInfoInput,
  SubmitClientMessageInput,
  SubmitRequestInput,
  VersionQuery,
  VersionResponseInput,
} from './operations.ts';
import type { NoMessages, WctpFailure, WctpResult } from './types.ts';
import {
  bool,
  deliveryAttributes,
  nonEmpty,
  whole,
  writeClientOriginator,
  writeFailure,
  writeMessageControl,
  writeOriginator,
  writePayload,
  writeRecipient,
  writeResult,
  writeStatus,
} from './write-elements.ts';
import { element, type XmlNode } from './xml-writer.ts';

export function writeSubmitRequest(r: SubmitRequestInput): XmlNode {
  return element(
    'wctp-SubmitRequest',
    [],
    [
      element(
        'wctp-SubmitHeader',
        [['submitTimestamp', r.submitTimestamp]],
        [writeOriginator(r.originator), writeMessageControl(r.messageControl), writeRecipient(r.recipient)],
      ),
      writePayload(r.payload),
    ],
  );
}

export function writeSubmitClientMessage(r: SubmitClientMessageInput): XmlNode {
  return element(
    'wctp-SubmitClientMessage',
    [],
    [
      element(
        'wctp-SubmitClientHeader',
        [['submitTimestamp', r.submitTimestamp]],
        [
          writeClientOriginator(r.originator),
          element('wctp-ClientMessageControl', deliveryAttributes(r.messageControl)),
          writeRecipient(r.recipient),
        ],
      ),
      writePayload(r.payload),
    ],
  );
}

export function writeClientQuery(q: Omit<ClientQuery, 'operation'>): XmlNode {
  return element('wctp-ClientQuery', [
    ['senderID', q.senderID],
    ['recipientID', q.recipientID],
    ['trackingNumber', q.trackingNumber],
  ]);
}

export function writePollForMessages(
  p: Omit<PollForMessages, 'operation' | 'received'> & { received?: MessageReceived[] },
): XmlNode {
  return element(
    'wctp-PollForMessages',
    [
      ['pollerID', p.pollerID],
      ['securityCode', p.securityCode],
      ['maxMessagesInBatch', whole(p.maxMessagesInBatch, 'maxMessagesInBatch')],
    ],
    (p.received ?? []).map((r) =>
      element('wctp-MessageReceived', [['sequenceNo', r.sequenceNo]], [writeResult(r.result)]),
    ),
  );
}

export function writeVersionQuery(q: Omit<VersionQuery, 'operation'>): XmlNode {
  return element('wctp-VersionQuery', [
    ['inquirer', q.inquirer],
    ['dateTime', q.dateTime],
  ]);
}

export function writeLookupSubscriber(l: Omit<LookupSubscriber, 'operation'>): XmlNode {
  return element(
    'wctp-LookupSubscriber',
    [],
    [
      writeOriginator(l.originator),
      element('wctp-LookupMessageControl', [
        ['messageID', l.messageControl.messageID],
        ['transactionID', l.messageControl.transactionID],
        ['sendResponsesToID', l.messageControl.sendResponsesToID],
      ]),
      writeRecipient(l.recipient),
    ],
  );
}

export function writeDeviceLocation(d: DeviceLocationInput): XmlNode {
  return element(
    'wctp-DeviceLocation',
    [],
    [
      writeOriginator(d.originator),
      element('wctp-DeviceLocationControl', [
        ['messageID', d.messageControl.messageID],
        ['transactionID', d.messageControl.transactionID],
        ['sendResponsesToID', d.messageControl.sendResponsesToID],
        ['fixType', d.messageControl.fixType],
      ]),
      writeRecipient(d.recipient),
    ],
  );
}

export function writeSendMsgMulti(m: SendMsgMultiInput): XmlNode {
  const c = m.messageControl;
  return element(
    'wctp-SendMsgMulti',
    [],
    [
      element(
        'wctp-MsgMultiHeader',
        [['submitTimestamp', m.submitTimestamp]],
        [
          writeOriginator(m.originator),
          element('wctp-MsgMultiControl', [
            ['messageID', c.messageID],
            ['transactionID', c.transactionID],
            ...deliveryAttributes(c),
            ['allRecipsRequired', bool(c.allRecipsRequired)],
          ]),
          ...nonEmpty(m.recipients, 'wctp-SendMsgMulti recipients').map(writeRecipient),
        ],
      ),
      writePayload(m.payload),
    ],
  );
}

export function writeConfirmation(result: WctpResult): XmlNode {
  return element('wctp-Confirmation', [], [writeResult(result)]);
}

/** wctp-ResponseHeader, shared by StatusInfo and MessageReply. */
function writeResponseHeader(h: StatusInfoInput | MessageReplyInput): XmlNode {
  return element(
    'wctp-ResponseHeader',
    [
      ['responseToMessageID', h.responseToMessageID],
      ['responseTimestamp', h.responseTimestamp],
      ['respondingToTimestamp', h.respondingToTimestamp],
      ['onBehalfOfRecipientID', h.onBehalfOfRecipientID],
    ],
    [writeOriginator(h.originator), writeMessageControl(h.messageControl), writeRecipient(h.recipient)],
  );
}

export function writeStatusInfo(s: StatusInfoInput): XmlNode {
  return element('wctp-StatusInfo', [], [writeResponseHeader(s), writeStatus(s.status)]);
}

export function writeMessageReply(r: MessageReplyInput): XmlNode {
  return element(
    'wctp-MessageReply',
    [['MCRMessageReply', bool(r.mcrMessageReply)]],
    [writeResponseHeader(r), writePayload(r.payload)],
  );
}

export function writeSubmitClientResponse(
  result:
    | { kind: 'success'; code: number; text?: string; detail?: string; trackingNumber: string }
    | WctpFailure,
): XmlNode {
  if (result.kind === 'failure') return element('wctp-SubmitClientResponse', [], [writeFailure(result)]);
  const success = element(
    'wctp-ClientSuccess',
    [
      ['successCode', whole(result.code, 'successCode')],
      ['successText', result.text],
      ['trackingNumber', result.trackingNumber],
    ],
    result.detail ?? '',
  );
  return element('wctp-SubmitClientResponse', [], [success]);
}

function writeClientMessage(m: ClientMessageInput): XmlNode {
  const header = element(
    'wctp-ClientResponseHeader',
    [
      ['responseTimestamp', m.responseTimestamp],
      ['respondingToTimestamp', m.respondingToTimestamp],
    ],
    [writeOriginator(m.originator), writeRecipient(m.recipient)],
  );
  const body =
    m.kind === 'reply'
      ? element(
          'wctp-ClientMessageReply',
          [['MCRMessageReply', bool(m.mcrMessageReply)]],
          [header, writePayload(m.payload)],
        )
      : element('wctp-ClientStatusInfo', [], [header, writeStatus(m.status)]);
  return element('wctp-ClientMessage', [], [body]);
}

/** The ( list+ | wctp-NoMessages | wctp-Failure ) choice of poll and client-query answers. */
function messagesOrNone<T>(
  result: { kind: 'messages'; messages: T[] } | NoMessages | WctpFailure,
  write: (item: T) => XmlNode,
): XmlNode[] {
  if (result.kind === 'failure') return [writeFailure(result)];
  if (result.kind === 'none' || result.messages.length === 0) return [element('wctp-NoMessages')];
  return result.messages.map(write);
}

export function writeClientQueryResponse(r: ClientQueryResponseInput): XmlNode {
  return element(
    'wctp-ClientQueryResponse',
    [['minNextPollInterval', whole(r.minNextPollInterval, 'minNextPollInterval')]],
    messagesOrNone(r.result, writeClientMessage),
  );
}

function writePolledOperation(m: PolledOperationInput): XmlNode {
  switch (m.operation) {
    case 'SubmitRequest':
      return writeSubmitRequest(m);
    case 'MessageReply':
      return writeMessageReply(m);
    case 'StatusInfo':
      return writeStatusInfo(m);
    case 'LookupResponse':
      return writeLookupResponse(m);
  }
}

export function writePollResponse(r: PollResponseInput): XmlNode {
  return element(
    'wctp-PollResponse',
    [['minNextPollInterval', whole(r.minNextPollInterval, 'minNextPollInterval')]],
    messagesOrNone(r.result, (m) =>
      element('wctp-Message', [['sequenceNo', m.sequenceNo]], [writePolledOperation(m.message)]),
    ),
  );
}

function writeContactInfo(c: ContactInfo): XmlNode {
  return element('wctp-ContactInfo', [
    ['email', c.email],
    ['phone', c.phone],
    ['www', c.www],
    ['info', c.info],
  ]);
}

function writeDtdSupport(d: DtdSupportInput): XmlNode {
  return element('wctp-DTDSupport', [
    ['dtdName', d.dtdName],
    ['verToken', d.verToken],
    ['supportType', d.supportType],
    ['exceptions', d.exceptions === undefined ? undefined : d.exceptions ? 'yes' : 'no'],
    ['supportUntil', d.supportUntil],
    ['replacement', d.replacement],
  ]);
}

export function writeVersionResponse(v: VersionResponseInput): XmlNode {
  const outcome =
    v.result.kind === 'failure'
      ? [writeFailure(v.result)]
      : nonEmpty(v.result.dtds, 'wctp-VersionResponse DTD list').map(writeDtdSupport);
  return element(
    'wctp-VersionResponse',
    [
      ['responder', v.responder],
      ['dateTimeOfRsp', v.dateTimeOfRsp],
      ['inquirer', v.inquirer],
      ['dateTimeOfReq', v.dateTimeOfReq],
      ['invalidAfter', v.invalidAfter],
    ],
    [...(v.contactInfo ? [writeContactInfo(v.contactInfo)] : []), ...outcome],
  );
}

export function writeLookupResponse(l: Omit<LookupResponse, 'operation'>): XmlNode {
  const outcome =
    l.result.kind === 'failure'
      ? writeFailure(l.result)
      : element('wctp-LookupData', [
          ['maxMessageLength', whole(l.result.maxMessageLength, 'maxMessageLength')],
          ['mcrSupported', bool(l.result.mcrSupported)],
          ['canRespond', bool(l.result.canRespond)],
        ]);
  return element(
    'wctp-LookupResponse',
    [
      ['responseToMessageID', l.responseToMessageID],
      ['transactionID', l.transactionID],
    ],
    [writeOriginator(l.originator), writeRecipient(l.recipient), outcome],
  );
}

export function writeDeviceLocationResponse(d: Omit<DeviceLocationResponse, 'operation'>): XmlNode {
  const outcome =
    d.result.kind === 'failure'
      ? writeFailure(d.result)
      : element('wctp-LocationData', [
          ['status', d.result.status],
          ['fixType', d.result.fixType],
          ['fixTimeStamp', d.result.fixTimeStamp],
          ['longitude', d.result.longitude],
          ['latitude', d.result.latitude],
          ['altitude', d.result.altitude],
        ]);
  return element(
    'wctp-DeviceLocationResponse',
    [
      ['responseToMessageID', d.responseToMessageID],
      ['transactionID', d.transactionID],
    ],
    [writeOriginator(d.originator), writeRecipient(d.recipient), outcome],
  );
}

export function writeSendMsgMultiResponse(r: SendMsgMultiResponseInput): XmlNode {
  return element(
    'wctp-SendMsgMultiResponse',
    [
      ['maxNumRecips', whole(r.maxNumRecips, 'maxNumRecips')],
      ['numValidRecips', whole(r.numValidRecips, 'numValidRecips')],
      ['numInvalidRecips', whole(r.numInvalidRecips, 'numInvalidRecips')],
    ],
    [
      writeResult(r.result),
      ...(r.failedRecipients ?? []).map((f) =>
        element('wctp-FailedRecipient', [
          ['recipientID', f.recipientID],
          ['errorCode', whole(f.code, 'errorCode')],
          ['errorText', f.text],
        ]),
      ),
    ],
  );
}

export function writeReturnToSvc(address: string): XmlNode {
  return element('wctp-ReturnToSvc', [], address);
}
