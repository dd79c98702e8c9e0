/**
 * RFC 4475 torture messages from ../shared/specs/sip/rfc4475 (present on CI and developer machines,
 * absent from a fresh clone: then this suite says so and is skipped; the main suite has our own
 * fixtures in test/fixtures/sip).
 *
 * For each file: what the parser must do (accept, reject with a status, or drop silently), and for
 * accepted requests what a UAS's admission checks answer (RFC 4475 section 3.3).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkRequest } from '../../src/protocols/sip/admission.ts';
import { SipParseError } from '../../src/protocols/sip/errors.ts';
import { parseMessage } from '../../src/protocols/sip/parser.ts';
import { serializeMessage } from '../../src/protocols/sip/serializer.ts';

const DIR = new URL('../../../shared/specs/sip/rfc4475/', import.meta.url);
const present = existsSync(DIR);
if (!present) console.warn(`[sip-rfc4475] SKIPPED: ${DIR.pathname} not found (../shared is absent)`);

type Outcome =
  | { parse: 'ok'; admit?: number } // parsed; admit = status of the UAS admission check, if any
  | { parse: number } // rejected with this response status
  | { parse: 'drop' }; // rejected with nothing to send (a broken response, an empty datagram)

// RFC 4475 section numbers; "liberal" marks cases where the RFC lets an element either reject or accept.
const EXPECTED: Record<string, { section: string; outcome: Outcome }> = {
  'wsinv.dat': { section: '3.1.1.1 short tortuous INVITE', outcome: { parse: 'ok' } },
  'intmeth.dat': { section: '3.1.1.2 wide range of valid characters', outcome: { parse: 'ok' } },
  'esc01.dat': { section: '3.1.1.3 valid use of % escaping', outcome: { parse: 'ok' } },
  'escnull.dat': { section: '3.1.1.4 escaped nulls in URIs', outcome: { parse: 'ok' } },
  'esc02.dat': { section: '3.1.1.5 % that is not an escape', outcome: { parse: 'ok' } },
  'lwsdisp.dat': { section: '3.1.1.6 no LWS between display name and <', outcome: { parse: 'ok' } },
  'longreq.dat': { section: '3.1.1.7 long values in header fields', outcome: { parse: 'ok' } },
  'dblreq.dat': { section: '3.1.1.8 extra trailing octets in a UDP datagram', outcome: { parse: 'ok' } },
  'semiuri.dat': {
    section: '3.1.1.9 semicolon-separated parameters in URI user part',
    outcome: { parse: 'ok' },
  },
  'transports.dat': { section: '3.1.1.10 varied and unknown transport types', outcome: { parse: 'ok' } },
  'mpart01.dat': { section: '3.1.1.11 multipart MIME message', outcome: { parse: 'ok' } },
  'unreason.dat': { section: '3.1.1.12 unusual reason phrase', outcome: { parse: 'ok' } },
  'noreason.dat': { section: '3.1.1.13 empty reason phrase', outcome: { parse: 'ok' } },
  'badinv01.dat': { section: '3.1.2.1 extraneous header field separators', outcome: { parse: 400 } },
  'clerr.dat': { section: '3.1.2.2 Content-Length larger than message', outcome: { parse: 400 } },
  'ncl.dat': { section: '3.1.2.3 negative Content-Length', outcome: { parse: 400 } },
  'scalar02.dat': { section: '3.1.2.4 request scalar fields with overlarge values', outcome: { parse: 400 } },
  'scalarlg.dat': {
    section: '3.1.2.5 response scalar fields with overlarge values',
    outcome: { parse: 'drop' },
  },
  'quotbal.dat': { section: '3.1.2.6 unterminated quoted string in display name', outcome: { parse: 400 } },
  'ltgtruri.dat': { section: '3.1.2.7 <> enclosing Request-URI', outcome: { parse: 400 } },
  'lwsruri.dat': { section: '3.1.2.8 malformed Request-URI (embedded LWS)', outcome: { parse: 400 } },
  'lwsstart.dat': {
    section: '3.1.2.9 multiple SP in Request-Line (liberal: reject)',
    outcome: { parse: 400 },
  },
  'trws.dat': { section: '3.1.2.10 SP at end of Request-Line (liberal: reject)', outcome: { parse: 400 } },
  'escruri.dat': {
    section: '3.1.2.11 escaped headers in Request-URI (liberal: reject)',
    outcome: { parse: 400 },
  },
  'baddate.dat': {
    section: '3.1.2.12 invalid time zone in Date (liberal: Date unused, accept)',
    outcome: { parse: 'ok' },
  },
  'regbadct.dat': { section: '3.1.2.13 name-addr URI not enclosed in <>', outcome: { parse: 400 } },
  'badaspec.dat': { section: '3.1.2.14 spaces within addr-spec (liberal: reject)', outcome: { parse: 400 } },
  'baddn.dat': { section: '3.1.2.15 non-token characters in display name', outcome: { parse: 400 } },
  'badvers.dat': { section: '3.1.2.16 unknown protocol version', outcome: { parse: 505 } },
  'mismatch01.dat': { section: '3.1.2.17 start line and CSeq method mismatch', outcome: { parse: 400 } },
  'mismatch02.dat': {
    section: '3.1.2.18 unknown method with CSeq mismatch (501 preferred)',
    outcome: { parse: 501 },
  },
  'bigcode.dat': { section: '3.1.2.19 overlarge response code', outcome: { parse: 'drop' } },
  'badbranch.dat': { section: '3.2.1 missing transaction identifier', outcome: { parse: 'ok' } },
  'insuf.dat': { section: '3.3.1 missing required header fields', outcome: { parse: 400 } },
  'unkscm.dat': { section: '3.3.2 Request-URI with unknown scheme', outcome: { parse: 416 } },
  'novelsc.dat': {
    section: '3.3.3 Request-URI with known but atypical scheme (never served)',
    outcome: { parse: 416 },
  },
  'unksm2.dat': { section: '3.3.4 unknown URI schemes in header fields', outcome: { parse: 'ok' } },
  'bext01.dat': { section: '3.3.5 Proxy-Require and Require', outcome: { parse: 'ok', admit: 420 } },
  'invut.dat': { section: '3.3.6 unknown Content-Type', outcome: { parse: 'ok', admit: 415 } },
  'regaut01.dat': { section: '3.3.7 unknown authorization scheme', outcome: { parse: 'ok' } },
  'multi01.dat': { section: '3.3.8 multiple values in single-value fields', outcome: { parse: 400 } },
  'mcl01.dat': { section: '3.3.9 multiple Content-Length values', outcome: { parse: 400 } },
  'bcast.dat': { section: '3.3.10 200 OK with broadcast Via', outcome: { parse: 'ok' } },
  'zeromf.dat': { section: '3.3.11 Max-Forwards of zero (a UAS serves it)', outcome: { parse: 'ok' } },
  'cparam01.dat': { section: '3.3.12 REGISTER with a contact parameter', outcome: { parse: 'ok' } },
  'cparam02.dat': { section: '3.3.13 REGISTER with a url-parameter', outcome: { parse: 'ok' } },
  'regescrt.dat': { section: '3.3.14 REGISTER with a URL escaped header', outcome: { parse: 'ok' } },
  'sdp01.dat': { section: '3.3.15 unacceptable Accept offering', outcome: { parse: 'ok', admit: 406 } },
  'inv2543.dat': { section: '3.4.1 INVITE with RFC 2543 syntax', outcome: { parse: 'ok' } },
  // Extra files shipped with the npm `sip` package's copy of the suite (not in RFC 4475 itself).
  'badcseq.dat': { section: 'extra: non-numeric CSeq', outcome: { parse: 400 } },
  'baddn_sep.dat': { section: 'extra: a bare CRLF datagram (keep-alive)', outcome: { parse: 'drop' } },
  'test.dat': { section: 'extra: Request-Line without SIP-Version', outcome: { parse: 400 } },
};

const UAS = {
  allowedMethods: ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'MESSAGE'],
  acceptedBodyTypes: ['application/sdp', 'multipart/mixed', 'text/plain'],
};

describe.skipIf(!present)('RFC 4475 torture messages (../shared/specs/sip/rfc4475)', () => {
  it('has an expected outcome for every file in the folder', () => {
    expect(readdirSync(DIR).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, { section, outcome }] of Object.entries(EXPECTED)) {
    it(`${file} (${section})`, () => {
      const data = readFileSync(new URL(file, DIR));
      if (outcome.parse === 'ok') {
        const msg = parseMessage(data);
        expect(parseMessage(serializeMessage(msg))).toEqual(msg);
        if (msg.kind === 'request' && ['INVITE', 'OPTIONS', 'REGISTER', 'MESSAGE'].includes(msg.method)) {
          expect(checkRequest(msg, UAS)?.status).toBe(outcome.admit);
        } else {
          expect(outcome.admit).toBeUndefined();
        }
        return;
      }
      let error: unknown;
      try {
        parseMessage(data);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(SipParseError);
      const status = (error as SipParseError).status;
      expect(status).toBe(outcome.parse === 'drop' ? undefined : outcome.parse);
    });
  }

  it('reads the tortuous INVITE (3.1.1.1) field by field', () => {
    const msg = parseMessage(readFileSync(new URL('wsinv.dat', DIR)));
    expect(msg.kind === 'request' && msg.method).toBe('INVITE');
    expect(msg.to.params.get('tag')).toBe('1918181833n');
    expect(msg.from.displayName).toBe('J Rosenberg \\"');
    expect(msg.from.params.get('tag')).toBe('98asjd8');
    expect(msg.maxForwards).toBe(68);
    expect(msg.cseq).toEqual({ seq: 9, method: 'INVITE' });
    expect(msg.via.map((v) => [v.transport, v.host, v.params.get('branch')])).toEqual([
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    expect(msg.contact[0]!.displayName).toBe('Quoted string ""');
    expect([...msg.contact[0]!.params]).toEqual([
      ['newparam', 'newvalue'],
      ['secondparam', null],
      ['q', '0.33'],
    ]);
    expect(msg.body.length).toBe(150);
  });

  it('keeps only the first message of a datagram carrying two (3.1.1.8)', () => {
    const msg = parseMessage(readFileSync(new URL('dblreq.dat', DIR)));
    expect(msg.kind === 'request' && msg.method).toBe('REGISTER');
    expect(msg.body.length).toBe(0);
  });

  it('keeps the binary multipart body byte for byte (3.1.1.11)', () => {
    const data = readFileSync(new URL('mpart01.dat', DIR));
    const msg = parseMessage(data);
    expect(msg.body.equals(data.subarray(data.length - 553))).toBe(true);
  });
});
