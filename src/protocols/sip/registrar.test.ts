import { describe, expect, it } from 'vitest';
import { FakeTimers } from '../../../test/support/fake-timers.ts';
import { getHeader, type SipRequest } from './message.ts';
import { parseMessage } from './parser.ts';
import { Registrar } from './registrar.ts';
import { formatUri } from './uri.ts';

function register(cseq: number, contact: string, extra = '', callId = 'reg-a'): SipRequest {
  return parseMessage(
    Buffer.from(
      `REGISTER sip:example.org SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.3;branch=z9hG4bKr${cseq}\r\n` +
        `To: <sip:Nurse%37@Example.org>\r\nFrom: <sip:nurse7@example.org>;tag=n7\r\nCall-ID: ${callId}\r\n` +
        `CSeq: ${cseq} REGISTER\r\n${contact ? `Contact: ${contact}\r\n` : ''}${extra}Content-Length: 0\r\n\r\n`,
    ),
  ) as SipRequest;
}

function setup() {
  const timers = new FakeTimers();
  return { timers, registrar: new Registrar({ clock: timers.clock, minExpires: 60, maxExpires: 7200 }) };
}

describe('Registrar (RFC 3261 section 10.3)', () => {
  it('adds bindings with their expiry and lists them in the 200, best q first', () => {
    const { timers, registrar } = setup();
    const ok = registrar.register(
      register(1, '<sip:nurse7@192.0.2.3>;q=0.5, <sip:nurse7@198.51.100.7>;expires=600', 'Expires: 1800\r\n'),
      'reg1',
    );
    expect(ok.status).toBe(200);
    expect(ok.contact.map((c) => [formatUri(c.uri), c.params.get('expires')])).toEqual([
      ['sip:nurse7@198.51.100.7', '600'],
      ['sip:nurse7@192.0.2.3', '1800'],
    ]);
    // The AOR compares unescaped and with the host in lower case.
    expect(registrar.lookup('sip:Nurse7@example.org').map((b) => b.q)).toEqual([1, 0.5]);
    timers.advance(600_001);
    expect(registrar.lookup('sip:Nurse7@example.org').map((b) => formatUri(b.contact.uri))).toEqual([
      'sip:nurse7@192.0.2.3',
    ]);
  });

  it('refreshes a binding, removes it with expires=0 and refuses an out-of-order CSeq', () => {
    const { registrar } = setup();
    registrar.register(register(1, '<sip:nurse7@192.0.2.3>'), 't');
    expect(registrar.register(register(1, '<sip:nurse7@192.0.2.3>'), 't').status).toBe(500);
    const refreshed = registrar.register(register(2, '<sip:nurse7@192.0.2.3>;expires=120'), 't');
    expect(refreshed.contact.map((c) => c.params.get('expires'))).toEqual(['120']);
    registrar.register(register(3, '<sip:nurse7@192.0.2.3>;expires=0'), 't');
    expect(registrar.lookup('sip:Nurse7@example.org')).toEqual([]);
  });

  it('answers 423 with Min-Expires for a too-short expiry and caps a too-long one', () => {
    const { registrar } = setup();
    const brief = registrar.register(register(1, '<sip:nurse7@192.0.2.3>;expires=10'), 't');
    expect(brief.status).toBe(423);
    expect(getHeader(brief, 'Min-Expires')).toBe('60');
    const huge = registrar.register(
      register(2, '<sip:nurse7@192.0.2.3>', 'Expires: 99999999999999999999\r\n'),
      't',
    );
    expect(huge.contact[0]!.params.get('expires')).toBe('3600'); // beyond 2**32-1: the default (RFC 4475 3.1.2.4)
    const long = registrar.register(register(3, '<sip:nurse7@192.0.2.3>;expires=86400'), 't');
    expect(long.contact[0]!.params.get('expires')).toBe('7200');
  });

  it('removes everything for Contact: * with Expires: 0, and refuses * without it', () => {
    const { registrar } = setup();
    registrar.register(register(1, '<sip:a@192.0.2.3>, <sip:b@192.0.2.4>'), 't');
    expect(registrar.register(register(2, '*'), 't').status).toBe(400);
    const cleared = registrar.register(register(3, '*', 'Expires: 0\r\n'), 't');
    expect(cleared.status).toBe(200);
    expect(cleared.contact).toEqual([]);
    expect(registrar.snapshot().size).toBe(0);
  });

  it('a REGISTER without Contact just lists the bindings', () => {
    const { registrar } = setup();
    registrar.register(register(1, '<sip:a@192.0.2.3>'), 't');
    expect(registrar.register(register(2, ''), 't').contact).toHaveLength(1);
  });
});
