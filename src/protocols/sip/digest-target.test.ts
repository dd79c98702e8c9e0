import { describe, expect, it } from 'vitest';
import { FakeTimers } from '../../../test/support/fake-timers.ts';
import { buildResponse } from './build.ts';
import { DigestClient, DigestServer } from './digest.ts';
import type { SipRequest } from './message.ts';
import { parseMessage } from './parser.ts';
import { parseUri } from './uri.ts';

function invite(uri: string, cseq: number): SipRequest {
  return parseMessage(
    Buffer.from(
      `INVITE ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKinv${cseq}\r\n` +
        `To: <${uri}>\r\nFrom: <sip:clerk@192.0.2.9>;tag=c1\r\nCall-ID: inv-1\r\n` +
        `CSeq: ${cseq} INVITE\r\nContact: <sip:clerk@192.0.2.9>\r\nContent-Length: 0\r\n\r\n`,
    ),
  ) as SipRequest;
}

const passwords = (user: string) => (user === 'clerk' ? 'pw' : undefined);

/** Signs `request` as if its digest-uri were `digestUri` (what some user agents send). */
function signedFor(request: SipRequest, digestUri: string, server: DigestServer): SipRequest {
  const challenged = buildResponse(request, 401, { toTag: 't', headers: server.challenge().headers });
  const asSigned = { ...request, uri: parseUri(digestUri) };
  new DigestClient({ username: 'clerk', password: 'pw' }).authorize(asSigned, challenged);
  return { ...request, headers: asSigned.headers };
}

describe('digest-uri and the Request-URI (RFC 2617 section 3.2.2.5)', () => {
  const timers = new FakeTimers();
  const server = new DigestServer({ realm: 'hospital', clock: timers.clock, algorithms: ['MD5'] });

  it('accepts a digest-uri equal to the Request-URI', () => {
    const request = invite('sip:4101@192.0.2.1:5060', 2);
    expect(server.verify(signedFor(request, 'sip:4101@192.0.2.1:5060', server), passwords)).toEqual({
      ok: true,
      username: 'clerk',
    });
  });

  it('accepts the same host and port without the user part (as SIPp sends it)', () => {
    const request = invite('sip:4101@192.0.2.1:5060', 3);
    expect(server.verify(signedFor(request, 'sip:192.0.2.1:5060', server), passwords).ok).toBe(true);
  });

  it('refuses credentials computed for another target', () => {
    const request = invite('sip:4101@192.0.2.1:5060', 4);
    expect(server.verify(signedFor(request, 'sip:192.0.2.77:5060', server), passwords)).toEqual({
      ok: false,
      why: 'wrong',
    });
    expect(server.verify(signedFor(request, 'sip:4102@192.0.2.1:5060', server), passwords)).toEqual({
      ok: false,
      why: 'wrong',
    });
  });
});
