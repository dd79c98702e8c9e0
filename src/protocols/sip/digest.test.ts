import { describe, expect, it } from 'vitest';
import { FakeTimers } from '../../../test/support/fake-timers.ts';
import { buildResponse } from './build.ts';
import { DigestClient, DigestServer, parseDigestParams } from './digest.ts';
import { getHeader, type SipRequest } from './message.ts';
import { parseMessage } from './parser.ts';

function register(cseq: number): SipRequest {
  return parseMessage(
    Buffer.from(
      `REGISTER sip:example.org SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.3;branch=z9hG4bKreg${cseq}\r\n` +
        `To: <sip:nurse7@example.org>\r\nFrom: <sip:nurse7@example.org>;tag=n7\r\nCall-ID: reg-7\r\n` +
        `CSeq: ${cseq} REGISTER\r\nContact: <sip:nurse7@192.0.2.3>\r\nContent-Length: 0\r\n\r\n`,
    ),
  ) as SipRequest;
}

const passwords = (user: string) => (user === 'nurse7' ? 's3cret' : undefined);

describe('digest authentication', () => {
  it('a client answers a SHA-256 challenge with qop=auth and the server accepts it', () => {
    const timers = new FakeTimers();
    const server = new DigestServer({ realm: 'example.org', clock: timers.clock });
    const client = new DigestClient({ username: 'nurse7', password: 's3cret' });
    const first = register(1);
    expect(server.verify(first, passwords)).toEqual({ ok: false, why: 'missing' });
    const challenge = server.challenge();
    expect(challenge.status).toBe(401);
    expect(challenge.headers.map((h) => parseDigestParams(h.value)?.get('algorithm'))).toEqual([
      'SHA-256',
      'MD5',
    ]);
    const unauthorized = buildResponse(first, 401, { toTag: 'x', headers: challenge.headers });
    const second = register(2);
    expect(client.authorize(second, unauthorized)).toBe(true);
    const auth = parseDigestParams(getHeader(second, 'Authorization')!)!;
    expect(auth.get('algorithm')).toBe('SHA-256');
    expect(auth.get('nc')).toBe('00000001');
    expect(auth.get('response')).toMatch(/^[0-9a-f]{64}$/);
    expect(server.verify(second, passwords)).toEqual({ ok: true, username: 'nurse7' });
    // Reusing the nonce: nc counts up and is accepted; the same nc again is a replay.
    const third = register(3);
    client.authorize(third, unauthorized);
    expect(parseDigestParams(getHeader(third, 'Authorization')!)!.get('nc')).toBe('00000002');
    expect(server.verify(third, passwords).ok).toBe(true);
    expect(server.verify(third, passwords)).toEqual({ ok: false, why: 'replayed' });
  });

  it('answers an MD5-only challenge (RFC 2617) and rejects a wrong password', () => {
    const timers = new FakeTimers();
    const server = new DigestServer({
      realm: 'example.org',
      clock: timers.clock,
      algorithms: ['MD5'],
      proxy: true,
    });
    const challenge = server.challenge();
    expect(challenge.status).toBe(407);
    const req = register(1);
    const c407 = buildResponse(req, 407, { toTag: 'x', headers: challenge.headers });
    const good = register(2);
    new DigestClient({ username: 'nurse7', password: 's3cret' }).authorize(good, c407);
    expect(parseDigestParams(getHeader(good, 'Proxy-Authorization')!)!.get('response')).toMatch(
      /^[0-9a-f]{32}$/,
    );
    expect(server.verify(good, passwords).ok).toBe(true);
    const bad = register(3);
    new DigestClient({ username: 'nurse7', password: 'guess' }).authorize(bad, c407);
    expect(server.verify(bad, passwords)).toEqual({ ok: false, why: 'wrong' });
    const stranger = register(4);
    new DigestClient({ username: 'intruder', password: 'x' }).authorize(stranger, c407);
    expect(server.verify(stranger, passwords)).toEqual({ ok: false, why: 'unknown-user' });
  });

  it('calls a nonce stale after its lifetime, and rejects a nonce signed by someone else', () => {
    const timers = new FakeTimers();
    const server = new DigestServer({ realm: 'example.org', clock: timers.clock, nonceLifetimeMs: 60_000 });
    const other = new DigestServer({ realm: 'example.org', clock: timers.clock });
    const req = register(1);
    const client = new DigestClient({ username: 'nurse7', password: 's3cret' });
    const late = register(2);
    client.authorize(late, buildResponse(req, 401, { toTag: 'x', headers: server.challenge().headers }));
    timers.advance(60_001);
    expect(server.verify(late, passwords)).toEqual({ ok: false, why: 'stale' });
    const forged = register(3);
    client.authorize(forged, buildResponse(req, 401, { toTag: 'x', headers: other.challenge().headers }));
    expect(server.verify(forged, passwords)).toEqual({ ok: false, why: 'wrong' });
  });

  it('reads quoted and token parameters and refuses other schemes', () => {
    expect(parseDigestParams('Digest realm="a, b", nonce=abc , qop="auth,auth-int"')).toEqual(
      new Map([
        ['realm', 'a, b'],
        ['nonce', 'abc'],
        ['qop', 'auth,auth-int'],
      ]),
    );
    expect(parseDigestParams('NoOneKnowsThisScheme opaque-data=here')).toBeUndefined();
    expect(parseDigestParams('Digest realm="unterminated')).toBeUndefined();
  });
});
