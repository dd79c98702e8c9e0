import { describe, expect, it } from 'vitest';
import { checkRequest } from './admission.ts';
import type { SipRequest } from './message.ts';
import { parseMessage } from './parser.ts';

const caps = { allowedMethods: ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS'], supported: ['timer'] };

function request(method: string, extra: string, body = ''): SipRequest {
  const text =
    `${method} sip:bed4@example.org SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKadm\r\n` +
    `To: <sip:bed4@example.org>\r\nFrom: <sip:desk@example.org>;tag=9\r\nCall-ID: adm.1\r\nCSeq: 1 ${method}\r\n` +
    `${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  return parseMessage(Buffer.from(text)) as SipRequest;
}

describe('checkRequest', () => {
  it('admits a plain request', () => {
    expect(checkRequest(request('OPTIONS', ''), caps)).toBeUndefined();
    expect(
      checkRequest(request('INVITE', 'Content-Type: application/sdp\r\n', 'v=0\r\n'), caps),
    ).toBeUndefined();
  });

  it('refuses an unserved method with 405 and Allow', () => {
    expect(checkRequest(request('SUBSCRIBE', ''), caps)).toEqual({
      status: 405,
      reason: 'Method Not Allowed',
      headers: [{ name: 'Allow', value: 'INVITE, ACK, BYE, CANCEL, OPTIONS' }],
    });
  });

  it('refuses unknown Require option tags with 420 and lists them in Unsupported, ignoring Proxy-Require', () => {
    const req = request('OPTIONS', 'Require: timer, noSuchThing\r\nProxy-Require: proxyOnly\r\n');
    expect(checkRequest(req, caps)).toEqual({
      status: 420,
      reason: 'Bad Extension',
      headers: [{ name: 'Unsupported', value: 'noSuchThing' }],
    });
  });

  it('never refuses ACK for Require', () => {
    expect(checkRequest(request('ACK', 'Require: noSuchThing\r\n'), caps)).toBeUndefined();
  });

  it('refuses an unknown body type with 415 and Accept', () => {
    const rej = checkRequest(request('INVITE', 'Content-Type: application/x-unknown\r\n', '<x/>'), caps);
    expect(rej?.status).toBe(415);
    expect(rej?.headers).toEqual([{ name: 'Accept', value: 'application/sdp' }]);
  });

  it('refuses a compressed body with 415 and Accept-Encoding', () => {
    const req = request('INVITE', 'Content-Type: application/sdp\r\nContent-Encoding: gzip\r\n', 'zz');
    expect(checkRequest(req, caps)?.headers).toEqual([{ name: 'Accept-Encoding', value: 'identity' }]);
  });

  it('refuses an INVITE whose Accept rules out SDP answers with 406, and honours wildcards', () => {
    expect(checkRequest(request('INVITE', 'Accept: text/nothing-we-make\r\n'), caps)?.status).toBe(406);
    expect(checkRequest(request('INVITE', 'Accept: application/*\r\n'), caps)).toBeUndefined();
    expect(checkRequest(request('INVITE', 'Accept: text/plain, */*;q=0.1\r\n'), caps)).toBeUndefined();
  });
});
