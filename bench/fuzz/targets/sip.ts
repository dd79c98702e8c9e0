/**
 * SIP: datagram parse, serialise and reparse, request admission checks, and the TCP/TLS stream framer fed
 * in pieces. Refusal: SipParseError.
 */
import { checkRequest } from '../../../src/protocols/sip/admission.ts';
import { SipParseError } from '../../../src/protocols/sip/errors.ts';
import { parseMessage } from '../../../src/protocols/sip/parser.ts';
import { serializeMessage } from '../../../src/protocols/sip/serializer.ts';
import { SipStreamFramer } from '../../../src/protocols/sip/stream-framer.ts';
import { generatedOrMutated, tokenSoup } from '../mutate.ts';
import { type FuzzOutcome, type FuzzTarget, promise } from '../target.ts';
import { filesOf } from './fixtures.ts';

const seeds = filesOf('test/fixtures/sip', ['.sip']);
// biome-ignore format: one token a line would hide the list
const TOKENS = [';', ',', ':', '<', '>', '"', '\\', ' ', '\r\n', '\t', '%', '@', '=', '/', '?', '[', ']', '*', '\x00',
  '\xff', 'SIP/2.0', 'INVITE ', 'sip:', 'sips:', 'tel:', 'Via: SIP/2.0/UDP ', 'Content-Length: ', 'CSeq: 1 INVITE',
  'Call-ID: ', 'From: ', 'To: ', ';tag=', ';branch=z9hG4bK', '\r\n\r\n', '\r\n ', 'Max-Forwards: 70', '999999999999'];

function generate(next: () => number): Buffer {
  const start = next() < 0.5 ? 'INVITE sip:a@b SIP/2.0\r\n' : 'SIP/2.0 200 OK\r\n';
  return Buffer.concat([Buffer.from(start), tokenSoup(TOKENS, 40, next)]);
}

function parse(input: Buffer, framing?: 'stream'): FuzzOutcome {
  let message: ReturnType<typeof parseMessage>;
  try {
    message = parseMessage(input, framing ? { framing } : {});
  } catch (err) {
    if (err instanceof SipParseError) return 'refused';
    throw err;
  }
  // What we accepted must serialise to something we accept again.
  const again = parseMessage(serializeMessage(message));
  promise(again.callId === message.callId, 'a message reparses with its Call-ID');
  if (message.kind === 'request') checkRequest(message, { allowedMethods: ['INVITE', 'OPTIONS'] });
  return 'accepted';
}

function stream(input: Buffer): void {
  const framer = new SipStreamFramer({ maxMessageSize: 4096 });
  try {
    // Pieces of 1, 7, 13 … bytes: fixed by the input alone, so a replay splits it the same way.
    for (let at = 0, step = 1; at < input.length; at += step, step = (step * 7 + 6) % 64 || 1) {
      for (const frame of framer.push(input.subarray(at, at + step))) parse(frame, 'stream');
    }
  } catch (err) {
    if (!(err instanceof SipParseError)) throw err;
  }
}

export const sip: FuzzTarget = {
  name: 'sip',
  input: (_i, next) => generatedOrMutated(seeds, TOKENS, generate, next),
  check(input) {
    const outcome = parse(input);
    stream(input);
    return outcome;
  },
};
