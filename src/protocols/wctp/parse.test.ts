import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWctp } from './parse.ts';
import { WctpError } from './wctp-error.ts';

const FIXTURES = new URL('../../../test/fixtures/wctp/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

/** The WctpError parseWctp throws for `xml` (fails the test when it returns). */
function errorOf(xml: string): WctpError {
  try {
    parseWctp(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(WctpError);
    return error as WctpError;
  }
  throw new Error('expected parseWctp to throw');
}

describe('parseWctp: operations a gateway answers', () => {
  it('reads a nurse-call SubmitRequest with multiple choices and every control flag', () => {
    const r = parseWctp(fixture('submit-request-mcr.xml'));
    expect(r).toEqual({
      operation: 'SubmitRequest',
      version: '1.3',
      wctpVersion: 'wctp-dtd-v1r3',
      wctpToken: 'tok-81',
      submitTimestamp: '2025-03-09T06:59:58',
      originator: { senderID: 'nursecall-4west@stmary.example', securityCode: 'pw-4west' },
      messageControl: {
        messageID: '4W-2231',
        transactionID: 'TX-9',
        sendResponsesToID: 'http://nc4west.stmary.example/wctp',
        allowResponse: true,
        notifyWhenQueued: true,
        notifyWhenDelivered: true,
        notifyWhenRead: true,
        deliveryPriority: 'HIGH',
        deliveryAfter: '2025-03-09T07:00:00',
        deliveryBefore: '2025-03-09T07:15:00',
        preformatted: false,
        allowTruncation: false,
      },
      recipient: { recipientID: '7781', authorizationCode: 'auth-7781' },
      payload: {
        kind: 'multipleChoice',
        messageText: 'Room 4117-B: staff assist & pain score 8',
        choices: [{ text: 'Coming' }, { text: 'Send backup', replyText: 'BACKUP' }, { text: 'Decline' }],
      },
    });
  });

  it('reads children out of order, names in any case, upper-case version, bare ampersands', () => {
    const r = parseWctp(fixture('submit-request-lenient.xml'));
    expect(r.operation).toBe('SubmitRequest');
    if (r.operation !== 'SubmitRequest') return;
    expect(r.version).toBe('1.3');
    expect(r.wctpVersion).toBe('WCTP-DTD-V1R3');
    expect(r.originator).toEqual({ senderID: 'tele5-central' });
    expect(r.recipient).toEqual({ recipientID: '5520' });
    expect(r.messageControl.messageID).toBe('TELE5-00017');
    expect(r.messageControl.notifyWhenDelivered).toBe(true);
    expect(r.messageControl.deliveryPriority).toBe('HIGH');
    expect(r.payload).toEqual({ kind: 'alphanumeric', text: 'Tele 5: V-fib alarm, bed 12 - call R&R team' });
  });

  it('fills in the DTD defaults for omitted control attributes', () => {
    const r = parseWctp(fixture('submit-request-lenient.xml'));
    if (r.operation !== 'SubmitRequest') throw new Error('wrong operation');
    expect(r.messageControl).toMatchObject({
      allowResponse: true,
      notifyWhenQueued: false,
      notifyWhenRead: false,
      preformatted: false,
      allowTruncation: true,
    });
    expect(r.messageControl).not.toHaveProperty('transactionID');
  });

  it('reads WCTP 1.0 TransparentData without encoding as plain text (1.0 default "standard")', () => {
    const r = parseWctp(fixture('submit-request-v1r0-transparent.xml'));
    if (r.operation !== 'SubmitRequest') throw new Error('wrong operation');
    expect(r.version).toBe('1.0');
    expect(r.payload.kind).toBe('transparent');
    if (r.payload.kind !== 'transparent') return;
    expect(new TextDecoder().decode(r.payload.bytes)).toBe('CODE 99 OR-3');
  });

  it('decodes base64 TransparentData (whitespace allowed) and folds FLEXsuite to FLEXSuite', () => {
    const r = parseWctp(fixture('submit-request-base64.xml'));
    if (r.operation !== 'SubmitRequest') throw new Error('wrong operation');
    expect(r.version).toBe('1.2');
    expect(r.payload).toEqual({
      kind: 'transparent',
      type: 'FLEXSuite',
      bytes: Uint8Array.from([0, 1, 2, 253, 254, 255]),
    });
  });

  it('reads a transient client message with its password in miscInfo and default control', () => {
    const r = parseWctp(fixture('submit-client-message-transient.xml'));
    if (r.operation !== 'SubmitClientMessage') throw new Error('wrong operation');
    expect(r.version).toBe('1.1');
    expect(r.originator).toEqual({ senderID: 'charge-nurse-desk', miscInfo: 'desk-passphrase' });
    expect(r.messageControl.allowResponse).toBe(true);
    expect(r.messageControl.deliveryPriority).toBe('NORMAL');
    expect(r.payload).toEqual({ kind: 'alphanumeric', text: 'Please call the 6th floor desk' });
  });

  it('reads ClientQuery, PollForMessages with acknowledgements, VersionQuery', () => {
    expect(parseWctp(fixture('client-query.xml'))).toEqual({
      operation: 'ClientQuery',
      version: '1.3',
      wctpVersion: '1.3',
      senderID: 'charge-nurse-desk',
      recipientID: '6100',
      trackingNumber: 'TRK-000451',
    });
    const poll = parseWctp(fixture('poll-for-messages-ack.xml'));
    expect(poll).toMatchObject({
      operation: 'PollForMessages',
      pollerID: 'nc4west.stmary.example',
      securityCode: 'poll-pw',
      maxMessagesInBatch: 25,
      received: [
        { sequenceNo: '301', result: { kind: 'success', code: 200 } },
        {
          sequenceNo: '302',
          result: { kind: 'failure', code: 604, text: 'Internal server error', detail: 'store busy' },
        },
      ],
    });
    expect(parseWctp(fixture('version-query.xml'))).toMatchObject({
      operation: 'VersionQuery',
      inquirer: 'tele5-central.stmary.example',
      dateTime: '2025-01-02T03:04:05',
    });
  });

  it('reads LookupSubscriber, DeviceLocation (fixType) and SendMsgMulti with every recipient', () => {
    expect(parseWctp(fixture('lookup-subscriber.xml'))).toMatchObject({
      operation: 'LookupSubscriber',
      messageControl: { messageID: 'LOOK-3', transactionID: 'LT-3' },
      recipient: { recipientID: '7781' },
    });
    expect(parseWctp(fixture('device-location.xml'))).toMatchObject({
      operation: 'DeviceLocation',
      messageControl: { messageID: 'WHERE-7', fixType: 'precise' },
    });
    const multi = parseWctp(fixture('send-msg-multi.xml'));
    if (multi.operation !== 'SendMsgMulti') throw new Error('wrong operation');
    expect(multi.recipients.map((r) => r.recipientID)).toEqual(['7781', '7782', '7783']);
    expect(multi.messageControl).toMatchObject({
      allRecipsRequired: true,
      notifyWhenRead: true,
      deliveryPriority: 'HIGH',
    });
  });
});

describe('parseWctp: shapes real clients send', () => {
  it('takes wctp-ClientOriginator in a SubmitHeader as the originator and ignores undeclared attributes', () => {
    expect(parseWctp(fixture('submit-request-client-originator.xml'))).toMatchObject({
      operation: 'SubmitRequest',
      originator: { senderID: 'sms-bridge', securityCode: 'bridge-pw' },
      messageControl: { messageID: 'BR-77', transactionID: 'BT-77', allowResponse: false },
      recipient: { recipientID: '5550100' },
    });
  });
});

describe('parseWctp: what a carrier sends back to us', () => {
  it('reads a PollResponse holding an unsolicited SubmitRequest and a failed LookupResponse', () => {
    const r = parseWctp(fixture('poll-response-mixed.xml'));
    if (r.operation !== 'PollResponse' || r.result.kind !== 'messages') throw new Error('shape');
    expect(r.minNextPollInterval).toBe(15);
    expect(r.result.messages[0]).toMatchObject({
      sequenceNo: '900',
      message: { operation: 'SubmitRequest', payload: { text: 'Unsolicited page from 7781: call pharmacy' } },
    });
    expect(r.result.messages[1]).toMatchObject({
      sequenceNo: '901',
      message: { operation: 'LookupResponse', result: { kind: 'failure', code: 403 } },
    });
  });

  it('reads failures in each answer element', () => {
    expect(parseWctp(fixture('client-query-response-failure.xml'))).toMatchObject({
      result: { kind: 'failure', code: 504 },
    });
    expect(parseWctp(fixture('submit-client-response-failure.xml'))).toMatchObject({
      result: { kind: 'failure', code: 411, detail: 'limit is 240' },
    });
    expect(parseWctp(fixture('version-response-failure.xml'))).toMatchObject({
      responder: 'carrier.example',
      contactInfo: { phone: '+1 555 0100', www: 'https://carrier.example/wctp' },
      result: { kind: 'failure', code: 605 },
    });
    expect(parseWctp(fixture('send-msg-multi-response-failure.xml'))).toMatchObject({
      maxNumRecips: 2,
      numInvalidRecips: 3,
      result: { kind: 'failure', code: 431 },
      failedRecipients: [],
    });
  });

  it('reads a device location and a return to service', () => {
    expect(parseWctp(fixture('device-location-response.xml'))).toMatchObject({
      result: {
        kind: 'location',
        status: 'stale',
        fixType: 'estimated',
        latitude: '38.63',
        longitude: '-90.26',
      },
    });
    expect(parseWctp(fixture('return-to-svc.xml'))).toMatchObject({
      operation: 'ReturnToSvc',
      address: '7781@carrier.example',
    });
  });

  it('reads a StatusInfo push with its response header flattened', () => {
    expect(parseWctp(fixture('status-info-read.xml'))).toMatchObject({
      operation: 'StatusInfo',
      responseToMessageID: 'SB-5501',
      responseTimestamp: '2025-02-02T12:00:30',
      respondingToTimestamp: '2025-02-02T12:00:00',
      originator: { senderID: 'pager-7781@carrier.example' },
      messageControl: { messageID: 'CAR-1', transactionID: 'SBT-5501' },
      recipient: { recipientID: 'switchboard@stmary.example' },
      status: { kind: 'notification', type: 'READ' },
    });
  });

  it('reads a MessageReply choosing one of the offered answers', () => {
    expect(parseWctp(fixture('message-reply-mcr.xml'))).toMatchObject({
      operation: 'MessageReply',
      mcrMessageReply: true,
      responseToMessageID: 'SB-5501',
      onBehalfOfRecipientID: '7781',
      messageControl: { allowResponse: false },
      payload: { kind: 'alphanumeric', text: 'BACKUP' },
    });
  });

  it('reads a Confirmation failure with code, errorText and detail', () => {
    expect(parseWctp(fixture('confirmation-failure.xml'))).toMatchObject({
      operation: 'Confirmation',
      result: { kind: 'failure', code: 602, text: 'Traffic rate exceeded', detail: 'slow down' },
    });
  });
});

describe('parseWctp: refusals carry the WCTP code from ERROR-CODES.md', () => {
  const bad = new URL('bad/', FIXTURES);
  for (const name of readdirSync(bad)) {
    const code = Number(name.slice(0, 3));
    it(`${name} → ${code}`, () => {
      const error = errorOf(readFileSync(new URL(name, bad), 'utf8'));
      expect(error.code).toBe(code);
      expect(error.text.length).toBeGreaterThan(0);
    });
  }

  it('names the operation being read so the answer can use its response element', () => {
    expect(errorOf(fixture('bad/302-missing-payload.xml')).operation).toBe('SubmitClientMessage');
    expect(errorOf(fixture('bad/303-unknown-version.xml')).operation).toBe('VersionQuery');
    expect(errorOf(fixture('bad/301-not-xml.xml')).operation).toBeUndefined();
  });

  it('never quotes message content in the error text (it may hold patient information)', () => {
    const error = errorOf(fixture('bad/302-two-recipients.xml'));
    expect(error.text).not.toContain('two pagers');
    expect(error.text).not.toContain('7781');
  });

  it('refuses a second wctp-Recipient in a SubmitRequest rather than drop one', () => {
    expect(errorOf(fixture('bad/302-two-recipients.xml')).text).toMatch(/more than one wctp-Recipient/);
  });
});

describe('parseWctp: safety', () => {
  it('never expands entities declared in an internal subset (billion laughs)', () => {
    const r = parseWctp(fixture('billion-laughs.xml'));
    if (r.operation !== 'SubmitRequest') throw new Error('wrong operation');
    expect(r.originator.senderID).toBe('&lol9;');
    expect(r.payload).toEqual({ kind: 'alphanumeric', text: '&lol9;' });
  });

  it('never resolves external entities (XXE)', () => {
    const r = parseWctp(fixture('external-entity.xml'));
    if (r.operation !== 'SubmitRequest') throw new Error('wrong operation');
    expect(r.payload).toEqual({ kind: 'alphanumeric', text: '&secret;' });
    expect(JSON.stringify(r)).not.toContain('root:');
  });
});
