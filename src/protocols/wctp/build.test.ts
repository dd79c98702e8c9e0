import { describe, expect, it } from 'vitest';
import {
  buildClientQueryResponse,
  buildConfirmation,
  buildDeviceLocationResponse,
  buildLookupResponse,
  buildMessageReply,
  buildPollResponse,
  buildSendMsgMultiResponse,
  buildStatusInfo,
  buildSubmitClientResponse,
  buildSubmitRequest,
  buildVersionResponse,
  wctpFailure,
  wctpSuccess,
} from './build.ts';
import type { StatusInfoInput, SubmitRequestInput } from './operations.ts';
import { parseWctp } from './parse.ts';
import { normaliseVersion, WCTP_DTD_SUPPORT } from './version.ts';

/** Element names in document order: how we check the DTD's sequence without the DTD. */
function elementOrder(xml: string): string[] {
  return [...xml.matchAll(/<(wctp-[A-Za-z]+)/g)].map((m) => m[1]!);
}

const header = {
  responseToMessageID: 'SB-5501',
  originator: { senderID: 'switchboard@stmary.example' },
  messageControl: { messageID: 'SB-ST-1' },
  recipient: { recipientID: 'nursecall-4west@stmary.example' },
};

describe('every built document', () => {
  it('starts with the XML declaration and the WCTP 1.3 DOCTYPE, and says wctpVersion wctp-dtd-v1r3', () => {
    const xml = buildConfirmation(wctpSuccess());
    const lines = xml.split('\n');
    expect(lines[0]).toBe('<?xml version="1.0" encoding="UTF-8"?>');
    expect(lines[1]).toBe('<!DOCTYPE wctp-Operation SYSTEM "http://dtd.wctp.org/wctp-dtd-v1r3.dtd">');
    expect(lines[2]).toBe('<wctp-Operation wctpVersion="wctp-dtd-v1r3">');
  });

  it('echoes a wctpToken when given one', () => {
    const xml = buildConfirmation(wctpSuccess(), { wctpToken: 'x224' });
    expect(parseWctp(xml).wctpToken).toBe('x224');
  });

  it('escapes markup, quotes and line breaks in attributes, and survives a parse', () => {
    const nasty = `A&B <"quoted"> 'single'\nline2\ttab`;
    const xml = buildConfirmation(wctpFailure(403, nasty));
    expect(xml).not.toContain('<"quoted">');
    const parsed = parseWctp(xml);
    expect(parsed).toMatchObject({ result: { kind: 'failure', code: 403, detail: nasty } });
    const status = buildStatusInfo({ ...header, responseToMessageID: nasty, status: wctpFailure(500) });
    expect(parseWctp(status)).toMatchObject({ responseToMessageID: nasty });
  });

  it('replaces characters XML cannot carry (NUL, lone surrogates) instead of writing broken XML', () => {
    const xml = buildConfirmation(wctpFailure(302, 'bad\u0000byte \uD800 end'));
    const parsed = parseWctp(xml);
    expect(parsed).toMatchObject({ result: { detail: 'bad\uFFFDbyte \uFFFD end' } });
  });
});

describe('gateway answers', () => {
  it('Confirmation success and failure carry the code and the table name', () => {
    expect(parseWctp(buildConfirmation(wctpSuccess()))).toMatchObject({
      operation: 'Confirmation',
      result: { kind: 'success', code: 200, text: 'Success' },
    });
    expect(parseWctp(buildConfirmation(wctpFailure(403, 'no such pager')))).toMatchObject({
      result: { kind: 'failure', code: 403, text: 'Invalid recipientID', detail: 'no such pager' },
    });
  });

  it('SubmitClientResponse gives the transient client its tracking number', () => {
    const xml = buildSubmitClientResponse({ ...wctpSuccess(), trackingNumber: 'TRK-000451' });
    expect(elementOrder(xml)).toEqual(['wctp-Operation', 'wctp-SubmitClientResponse', 'wctp-ClientSuccess']);
    expect(parseWctp(xml)).toMatchObject({
      result: { kind: 'success', code: 200, trackingNumber: 'TRK-000451' },
    });
  });

  it('ClientQueryResponse lists statuses and replies, or says there are none', () => {
    const xml = buildClientQueryResponse({
      minNextPollInterval: 60,
      result: {
        kind: 'messages',
        messages: [
          {
            kind: 'status',
            originator: { senderID: '6100' },
            recipient: { recipientID: 'charge-nurse-desk' },
            status: { kind: 'notification', type: 'DELIVERED' },
          },
          {
            kind: 'reply',
            responseTimestamp: '2025-01-01T00:00:05',
            originator: { senderID: '6100' },
            recipient: { recipientID: 'charge-nurse-desk' },
            payload: { kind: 'alphanumeric', text: 'calling now' },
          },
        ],
      },
    });
    expect(elementOrder(xml).slice(2, 7)).toEqual([
      'wctp-ClientMessage',
      'wctp-ClientStatusInfo',
      'wctp-ClientResponseHeader',
      'wctp-Originator',
      'wctp-Recipient',
    ]);
    const parsed = parseWctp(xml);
    if (parsed.operation !== 'ClientQueryResponse' || parsed.result.kind !== 'messages')
      throw new Error('shape');
    expect(parsed.minNextPollInterval).toBe(60);
    expect(parsed.result.messages.map((m) => m.kind)).toEqual(['status', 'reply']);
    expect(parseWctp(buildClientQueryResponse({ result: { kind: 'none' } }))).toMatchObject({
      result: { kind: 'none' },
    });
  });

  it('PollResponse wraps queued pushes in wctp-Message with sequence numbers; an empty list is NoMessages', () => {
    const xml = buildPollResponse({
      minNextPollInterval: 5,
      result: {
        kind: 'messages',
        messages: [
          {
            sequenceNo: '17',
            message: { operation: 'StatusInfo', ...header, status: { kind: 'notification', type: 'QUEUED' } },
          },
          {
            sequenceNo: '18',
            message: {
              operation: 'MessageReply',
              ...header,
              mcrMessageReply: true,
              payload: { kind: 'alphanumeric', text: 'Coming' },
            },
          },
        ],
      },
    });
    const parsed = parseWctp(xml);
    if (parsed.operation !== 'PollResponse' || parsed.result.kind !== 'messages') throw new Error('shape');
    expect(parsed.result.messages.map((m) => [m.sequenceNo, m.message.operation])).toEqual([
      ['17', 'StatusInfo'],
      ['18', 'MessageReply'],
    ]);
    const empty = buildPollResponse({ result: { kind: 'messages', messages: [] } });
    expect(elementOrder(empty)).toEqual(['wctp-Operation', 'wctp-PollResponse', 'wctp-NoMessages']);
  });

  it('VersionResponse puts ContactInfo before the DTD list', () => {
    const xml = buildVersionResponse({
      responder: 'switchboard.stmary.example',
      inquirer: 'tele5',
      contactInfo: { email: 'integration@stmary.example' },
      result: {
        kind: 'dtds',
        dtds: [
          { dtdName: 'wctp-dtd-v1r3', verToken: 'wctp-dtd-v1r3' },
          { dtdName: 'wctpv1-0', supportType: 'Deprecated', exceptions: true },
        ],
      },
    });
    expect(elementOrder(xml)).toEqual([
      'wctp-Operation',
      'wctp-VersionResponse',
      'wctp-ContactInfo',
      'wctp-DTDSupport',
      'wctp-DTDSupport',
    ]);
    expect(xml).toContain('exceptions="yes"');
    const parsed = parseWctp(xml);
    if (parsed.operation !== 'VersionResponse' || parsed.result.kind !== 'dtds') throw new Error('shape');
    expect(parsed.result.dtds[0]).toEqual({
      dtdName: 'wctp-dtd-v1r3',
      verToken: 'wctp-dtd-v1r3',
      supportType: 'Supported',
      exceptions: false,
    });
    expect(parsed.result.dtds[1]).toMatchObject({ supportType: 'Deprecated', exceptions: true });
  });

  it("VersionResponse with Switchboard's own support list names all four releases", () => {
    const xml = buildVersionResponse({
      responder: 'switchboard',
      result: { kind: 'dtds', dtds: WCTP_DTD_SUPPORT },
    });
    const parsed = parseWctp(xml);
    if (parsed.operation !== 'VersionResponse' || parsed.result.kind !== 'dtds') throw new Error('shape');
    expect(parsed.result.dtds).toEqual(WCTP_DTD_SUPPORT);
    expect(parsed.result.dtds.map((d) => normaliseVersion(d.dtdName))).toEqual(['1.3', '1.2', '1.1', '1.0']);
  });

  it('LookupResponse and DeviceLocationResponse: originator, recipient, then the data', () => {
    const lookup = buildLookupResponse({
      responseToMessageID: 'LOOK-3',
      originator: { senderID: 'switchboard' },
      recipient: { recipientID: '7781' },
      result: { kind: 'lookup', maxMessageLength: 240, mcrSupported: true, canRespond: true },
    });
    expect(elementOrder(lookup).slice(1)).toEqual([
      'wctp-LookupResponse',
      'wctp-Originator',
      'wctp-Recipient',
      'wctp-LookupData',
    ]);
    expect(parseWctp(lookup)).toMatchObject({
      result: { kind: 'lookup', maxMessageLength: 240, mcrSupported: true },
    });
    const location = buildDeviceLocationResponse({
      responseToMessageID: 'WHERE-7',
      originator: { senderID: 'switchboard' },
      recipient: { recipientID: '7781' },
      result: {
        kind: 'location',
        status: 'ok',
        fixType: 'precise',
        latitude: '38.6270',
        longitude: '-90.1994',
      },
    });
    expect(parseWctp(location)).toMatchObject({
      result: {
        kind: 'location',
        status: 'ok',
        fixType: 'precise',
        latitude: '38.6270',
        longitude: '-90.1994',
      },
    });
  });

  it('SendMsgMultiResponse: the overall result first, then each refused recipient', () => {
    const xml = buildSendMsgMultiResponse({
      maxNumRecips: 50,
      numValidRecips: 2,
      numInvalidRecips: 1,
      result: wctpSuccess(),
      failedRecipients: [{ recipientID: '7783', code: 403, text: 'Invalid recipientID' }],
    });
    expect(elementOrder(xml).slice(1)).toEqual([
      'wctp-SendMsgMultiResponse',
      'wctp-Success',
      'wctp-FailedRecipient',
    ]);
    expect(parseWctp(xml)).toMatchObject({
      maxNumRecips: 50,
      failedRecipients: [{ recipientID: '7783', code: 403, text: 'Invalid recipientID' }],
    });
  });
});

describe('pushes we send', () => {
  it.each([
    ['QUEUED', { kind: 'notification', type: 'QUEUED' }],
    ['DELIVERED', { kind: 'notification', type: 'DELIVERED' }],
    ['READ', { kind: 'notification', type: 'READ' }],
    ['failure', { kind: 'failure', code: 500, text: 'Message timed out', detail: 'no answer in 15 min' }],
  ] as const)('StatusInfo %s: header (originator, control, recipient) then the status', (_, status) => {
    const input: StatusInfoInput = { ...header, responseTimestamp: '2025-02-02T12:00:30', status };
    const xml = buildStatusInfo(input);
    expect(elementOrder(xml).slice(1, 6)).toEqual([
      'wctp-StatusInfo',
      'wctp-ResponseHeader',
      'wctp-Originator',
      'wctp-MessageControl',
      'wctp-Recipient',
    ]);
    expect(parseWctp(xml)).toMatchObject({ operation: 'StatusInfo', responseToMessageID: 'SB-5501', status });
  });

  it('MessageReply marks an answer to a multiple choice with MCRMessageReply', () => {
    const xml = buildMessageReply({
      ...header,
      mcrMessageReply: true,
      payload: { kind: 'alphanumeric', text: 'Coming' },
    });
    expect(xml).toContain('<wctp-MessageReply MCRMessageReply="true">');
    expect(parseWctp(xml)).toMatchObject({ mcrMessageReply: true, payload: { text: 'Coming' } });
  });
});

describe('client requests to a paging carrier', () => {
  const request: SubmitRequestInput = {
    submitTimestamp: '2025-02-02T12:00:00',
    originator: { senderID: 'switchboard@stmary.example', securityCode: 'carrier-pw' },
    messageControl: {
      messageID: 'SB-5501',
      sendResponsesToID: 'https://switchboard.stmary.example/wctp',
      notifyWhenDelivered: true,
      deliveryPriority: 'HIGH',
    },
    recipient: { recipientID: '7781' },
    payload: {
      kind: 'multipleChoice',
      messageText: 'Room 4117-B staff assist',
      choices: [{ text: 'Coming' }, { text: 'Send backup', replyText: 'BACKUP' }],
    },
  };

  it('SubmitRequest writes the header in DTD order and only the attributes given', () => {
    const xml = buildSubmitRequest(request);
    expect(elementOrder(xml).slice(1)).toEqual([
      'wctp-SubmitRequest',
      'wctp-SubmitHeader',
      'wctp-Originator',
      'wctp-MessageControl',
      'wctp-Recipient',
      'wctp-Payload',
      'wctp-MCR',
      'wctp-MessageText',
      'wctp-Choice',
      'wctp-ChoicePair',
      'wctp-SendChoice',
      'wctp-ReplyChoice',
    ]);
    expect(xml).toContain(
      '<wctp-MessageControl messageID="SB-5501" sendResponsesToID="https://switchboard.stmary.example/wctp" notifyWhenDelivered="true" deliveryPriority="HIGH"/>',
    );
    const parsed = parseWctp(xml);
    expect(parsed).toMatchObject({ operation: 'SubmitRequest', payload: request.payload });
  });

  it('TransparentData is always written as base64', () => {
    const bytes = Uint8Array.from([0, 60, 38, 255]);
    const xml = buildSubmitRequest({ ...request, payload: { kind: 'transparent', bytes } });
    expect(xml).toContain('<wctp-TransparentData encoding="base64">ADwm/w==</wctp-TransparentData>');
    expect(parseWctp(xml)).toMatchObject({ payload: { kind: 'transparent', type: 'OPAQUE', bytes } });
  });

  it('refuses, at once, input no valid document could carry', () => {
    expect(() =>
      buildSubmitRequest({ ...request, payload: { kind: 'multipleChoice', messageText: 'x', choices: [] } }),
    ).toThrow(RangeError);
    expect(() => buildConfirmation({ kind: 'failure', code: 4.5 })).toThrow(RangeError);
  });
});
