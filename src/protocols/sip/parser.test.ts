import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SipParseError } from './errors.ts';
import { getHeader, getHeaderList, type SipRequest, type SipResponse } from './message.ts';
import { parseMessage } from './parser.ts';
import { serializeMessage } from './serializer.ts';
import { formatUri } from './uri.ts';

const FIXTURES = new URL('../../../test/fixtures/sip/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));
const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'), 'utf8');

function rejection(data: Buffer): SipParseError {
  try {
    parseMessage(data);
  } catch (err) {
    expect(err).toBeInstanceOf(SipParseError);
    return err as SipParseError;
  }
  throw new Error('expected the message to be rejected');
}

// Expected outcome of every fixture of ours: null = parses; a number = rejected with that status;
// 'discard' = rejected with nothing to send (a bad response).
const OUTCOMES: Record<string, number | null | 'discard'> = {
  'valid-folded-invite.sip': null,
  'valid-escaped-uris.sip': null,
  'valid-ipv6-and-tel.sip': null,
  'valid-trailing-octets.sip': null,
  'valid-utf8-reason.sip': null,
  'valid-register-star.sip': null,
  'valid-rfc2543-style.sip': null,
  'invalid-version.sip': 505,
  'invalid-angle-request-uri.sip': 400,
  'invalid-two-call-ids.sip': 400,
  'invalid-negative-length.sip': 400,
  'invalid-length-past-datagram.sip': 400,
  'invalid-open-quote.sip': 400,
  'invalid-unknown-scheme.sip': 416,
  'invalid-cseq-mismatch.sip': 400,
  'invalid-huge-status.sip': 'discard',
  'invalid-line-without-colon.sip': 400,
  'invalid-empty-via-params.sip': 400,
  'invalid-no-to.sip': 400,
  'invalid-headers-in-request-uri.sip': 400,
};

describe('parseMessage over our fixtures', () => {
  it('has an expected outcome for every fixture file', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.sip'));
    expect(files.sort()).toEqual(Object.keys(OUTCOMES).sort());
  });

  for (const [file, outcome] of Object.entries(OUTCOMES)) {
    it(`${file} -> ${outcome ?? 'parsed'}`, () => {
      if (outcome === null) {
        const msg = parseMessage(fixture(file));
        // Round trip: what we serialise parses back to the same message.
        const again = parseMessage(serializeMessage(msg));
        expect(again).toEqual(msg);
      } else {
        const err = rejection(fixture(file));
        expect(err.status).toBe(outcome === 'discard' ? undefined : outcome);
      }
    });
  }
});

describe('parseMessage details', () => {
  it('unfolds headers, expands compact forms and reads every Via in a list', () => {
    const msg = parseMessage(fixture('valid-folded-invite.sip')) as SipRequest;
    expect(msg.method).toBe('INVITE');
    expect(formatUri(msg.uri)).toBe('sip:ward7-bed12@nursecall.example.org;transport=udp');
    expect(msg.via.map((v) => [v.transport, v.host, v.port, v.params.get('branch')])).toEqual([
      ['UDP', 'pbx1.example.org', 5062, 'z9hG4bK77aa01'],
      ['TCP', 'edge.example.org', undefined, 'z9hG4bK77aa00'],
      ['UDP', '192.0.2.40', 5060, 'z9hG4bK77a9ff'],
    ]);
    expect(msg.via[0]!.params.has('rport')).toBe(true);
    expect(msg.via[0]!.params.get('rport')).toBeNull();
    expect(msg.via[2]!.params.get('received')).toBe('192.0.2.41');
    expect(msg.maxForwards).toBe(69);
    expect(msg.from.displayName).toBe('Charge Nurse "West" \\ 7');
    expect(msg.from.params.get('tag')).toBe('a71b');
    expect(msg.to.uri).toMatchObject({ user: 'ward7-bed12', host: 'example.org' });
    expect(msg.callId).toBe('5f1c-ward7@pbx1.example.org');
    expect(msg.cseq).toEqual({ seq: 42, method: 'INVITE' });
    expect(msg.contact).toHaveLength(2);
    expect(msg.contact[0]!.displayName).toBe('Bed 12 Speaker');
    expect(msg.contact[0]!.uri).toMatchObject({ host: '192.0.2.77', port: 5070 });
    expect(msg.contact[0]!.params.get('q')).toBe('0.7');
    expect(msg.contact[0]!.params.get('expires')).toBe('300');
    expect(msg.contact[1]!.uri.scheme).toBe('sips');
    expect(msg.route.map((r) => formatUri(r.uri))).toEqual([
      'sip:proxy1.example.org;lr',
      'sip:proxy2.example.org;lr;x-hop=2',
    ]);
    expect(getHeader(msg, 'x-nursecall-priority')).toBe('urgent and audible');
    expect(getHeader(msg, 'Subject')).toBe('');
    expect(getHeader(msg, 'c')).toBe('application/sdp');
    expect(msg.body.toString()).toMatch(/^v=0\r\n/);
    expect(msg.body.length).toBe(118);
  });

  it('keeps escapes in URIs as written', () => {
    const msg = parseMessage(fixture('valid-escaped-uris.sip')) as SipRequest;
    expect(msg.uri).toMatchObject({ user: 'on%2Dcall%20team', host: 'example.org' });
    expect(msg.uri.kind === 'sip' && [...msg.uri.params]).toEqual([
      ['x%6cr', null],
      ['n%61me', 'v%61l'],
    ]);
    expect(msg.from.displayName).toBe('%41 not an escape');
    expect(msg.contact[0]!.uri).toMatchObject({ user: '%00zero' });
  });

  it('reads IPv6 references, tel and unknown URI schemes in header fields, and a UTF-8 body as bytes', () => {
    const msg = parseMessage(fixture('valid-ipv6-and-tel.sip')) as SipRequest;
    expect(msg.uri).toMatchObject({ scheme: 'sips', host: '2001:db8::4', port: 5061 });
    expect(msg.via[0]).toMatchObject({ transport: 'TLS', host: '2001:db8::9', port: 5061 });
    expect(msg.via[0]!.params.get('received')).toBe('2001:db8::99');
    expect(msg.via[0]!.params.get('rport')).toBe('40001');
    expect(msg.via.map((v) => v.transport)).toEqual(['TLS', 'SCTP', 'WEIRDNEW']);
    expect(msg.to.uri).toMatchObject({ kind: 'tel', number: '+1-555-010-2233' });
    // addr-spec form: what follows ';' is a header parameter, not a URI one (RFC 3261 section 20.10).
    expect(msg.to.params.get('phone-context')).toBe('example.org');
    expect(msg.from.uri).toMatchObject({ kind: 'other', scheme: 'urn', opaque: 'device:telemetry-4' });
    expect(msg.body.toString('utf8')).toBe('SpO2 88 % — lit 7 — ✓\r\n');
  });

  it('trims a datagram body to Content-Length', () => {
    const msg = parseMessage(fixture('valid-trailing-octets.sip'));
    expect(msg.body.toString()).toBe('abcd');
  });

  it('takes the rest of a datagram as body when Content-Length is absent (RFC 2543 peers)', () => {
    const msg = parseMessage(fixture('valid-rfc2543-style.sip'));
    expect(msg.body.toString()).toBe('v=0\r\n');
    expect(msg.via[0]!.params.get('branch')).toBeUndefined();
    expect(msg.maxForwards).toBeUndefined();
  });

  it('reads a UTF-8 reason phrase', () => {
    const msg = parseMessage(fixture('valid-utf8-reason.sip')) as SipResponse;
    expect(msg.status).toBe(486);
    expect(msg.reason).toBe('Занято — occupé');
  });

  it('reads Contact: *', () => {
    const msg = parseMessage(fixture('valid-register-star.sip'));
    expect(msg.contactStar).toBe(true);
    expect(msg.contact).toEqual([]);
    expect(serializeMessage(msg).toString()).toContain('\r\nContact: *\r\n');
  });

  it('ignores CRLFs before the start line and accepts bare LF line ends', () => {
    const msg = parseMessage(
      Buffer.from(
        '\r\n\r\nOPTIONS sip:a@example.org SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nTo: <sip:a@example.org>\n' +
          'From: <sip:b@example.org>;tag=1\nCall-ID: lf.1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n',
      ),
    );
    expect(msg.callId).toBe('lf.1');
  });

  it('on a stream, takes exactly Content-Length bytes and defaults a missing one to no body', () => {
    const head =
      'MESSAGE sip:a@example.org SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bK2\nTo: <sip:a@example.org>\n' +
      'From: <sip:b@example.org>;tag=1\nCall-ID: s.1\nCSeq: 1 MESSAGE\n';
    expect(parseMessage(crlf(`${head}Content-Length: 3\n\nabc`), { framing: 'stream' }).body.toString()).toBe(
      'abc',
    );
    expect(parseMessage(crlf(`${head}\n`), { framing: 'stream' }).body.length).toBe(0);
  });

  it('refuses a message above the size limit with 413', () => {
    const err = rejection(Buffer.concat([fixture('valid-trailing-octets.sip'), Buffer.alloc(70_000, 0x41)]));
    expect(err.status).toBe(413);
  });

  it('attaches the raw Via, From, To, Call-ID and CSeq of a rejected request', () => {
    const err = rejection(fixture('invalid-version.sip'));
    expect(err.echo).toEqual({
      via: ['SIP/3.1/UDP 192.0.2.1;branch=z9hG4bKv3'],
      to: '<sip:bed1@example.org>',
      from: '<sip:x@example.org>;tag=1',
      callId: 'v3.1',
      cseq: '1 OPTIONS',
    });
  });

  it('answers an unknown method whose CSeq disagrees with 501, a known one with 400', () => {
    const msg = (method: string) =>
      crlf(
        `${method} sip:a@example.org SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK3\nTo: <sip:a@example.org>\n` +
          'From: <sip:b@example.org>;tag=1\nCall-ID: m.1\nCSeq: 1 INVITE\nContent-Length: 0\n\n',
      );
    expect(rejection(msg('FROBNICATE')).status).toBe(501);
    expect(rejection(msg('OPTIONS')).status).toBe(400);
  });

  it('gives the empty datagram and a bare keep-alive nothing to answer', () => {
    expect(rejection(Buffer.from('\r\n\r\n')).status).toBeUndefined();
    expect(rejection(Buffer.alloc(0)).status).toBeUndefined();
  });

  it('splits list headers it keeps as text on commas outside quotes and <>', () => {
    const msg = parseMessage(
      crlf(
        'OPTIONS sip:a@example.org SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK4\nTo: <sip:a@example.org>\n' +
          'From: <sip:b@example.org>;tag=1\nCall-ID: l.1\nCSeq: 1 OPTIONS\n' +
          'Call-Info: <http://x.example.org/a,b>;purpose=icon, "q,uoted" <http://y.example.org>\n' +
          'Supported: timer, 100rel\nk: path\nContent-Length: 0\n\n',
      ),
    );
    expect(getHeaderList(msg, 'Call-Info')).toEqual([
      '<http://x.example.org/a,b>;purpose=icon',
      '"q,uoted" <http://y.example.org>',
    ]);
    expect(getHeaderList(msg, 'Supported')).toEqual(['timer', '100rel', 'path']);
  });
});
