import { describe, expect, it } from 'vitest';
import { SipParseError } from './errors.ts';
import { parseMessage } from './parser.ts';
import { SipStreamFramer } from './stream-framer.ts';

function message(callId: string, body = ''): Buffer {
  return Buffer.from(
    `MESSAGE sip:pager7@example.org SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.7;branch=z9hG4bK${callId}\r\n` +
      `To: <sip:pager7@example.org>\r\nFrom: <sip:router@example.org>;tag=r\r\nCall-ID: ${callId}\r\n` +
      `CSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

const callIds = (frames: Buffer[]) => frames.map((f) => parseMessage(f, { framing: 'stream' }).callId);

describe('SipStreamFramer', () => {
  it('cuts several messages out of one chunk', () => {
    const framer = new SipStreamFramer();
    const frames = framer.push(Buffer.concat([message('a', 'one'), message('b'), message('c', 'Grüße')]));
    expect(callIds(frames)).toEqual(['a', 'b', 'c']);
    expect(parseMessage(frames[2]!, { framing: 'stream' }).body.toString()).toBe('Grüße');
    expect(framer.buffered).toBe(0);
  });

  it('reassembles a message split at every possible byte', () => {
    const whole = Buffer.concat([message('split', 'body text'), message('next')]);
    for (let cut = 1; cut < whole.length; cut++) {
      const framer = new SipStreamFramer();
      const frames = [...framer.push(whole.subarray(0, cut)), ...framer.push(whole.subarray(cut))];
      expect(callIds(frames)).toEqual(['split', 'next']);
    }
  });

  it('feeds byte by byte', () => {
    const framer = new SipStreamFramer();
    const whole = message('bytes', 'xyz');
    const frames: Buffer[] = [];
    for (const byte of whole) frames.push(...framer.push(Buffer.from([byte])));
    expect(callIds(frames)).toEqual(['bytes']);
  });

  it('skips CRLF keep-alives between messages and reports double-CRLF pings', () => {
    let pings = 0;
    const framer = new SipStreamFramer({ onPing: () => pings++ });
    const frames = framer.push(
      Buffer.concat([Buffer.from('\r\n\r\n'), message('k1'), Buffer.from('\r\n\r\n\r\n')]),
    );
    frames.push(...framer.push(Buffer.concat([Buffer.from('\r\n'), message('k2')])));
    expect(callIds(frames)).toEqual(['k1', 'k2']);
    expect(pings).toBe(2);
  });

  it('treats a missing Content-Length as an empty body', () => {
    const framer = new SipStreamFramer();
    const text = message('nolen')
      .toString()
      .replace(/Content-Length: 0\r\n/, '');
    expect(callIds(framer.push(Buffer.from(text)))).toEqual(['nolen']);
  });

  it('throws 400 with echo headers on a malformed Content-Length', () => {
    const framer = new SipStreamFramer();
    const text = message('bad').toString().replace('Content-Length: 0', 'Content-Length: -4');
    try {
      framer.push(Buffer.from(text));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SipParseError);
      expect((err as SipParseError).status).toBe(400);
      expect((err as SipParseError).echo?.callId).toBe('bad');
    }
  });

  it('throws 413 when a message would exceed the limit, even before its headers end', () => {
    expect(() => new SipStreamFramer({ maxMessageSize: 500 }).push(message('big', 'x'.repeat(600)))).toThrow(
      expect.objectContaining({ status: 413 }),
    );
    expect(() => new SipStreamFramer({ maxMessageSize: 100 }).push(Buffer.alloc(200, 0x41))).toThrow(
      expect.objectContaining({ status: 413 }),
    );
  });
});
