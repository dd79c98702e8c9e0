import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/support/seeded-random.ts';
import { checkRequest } from './admission.ts';
import { SipParseError } from './errors.ts';
import { parseMessage } from './parser.ts';
import { serializeMessage } from './serializer.ts';
import { SipStreamFramer } from './stream-framer.ts';

const FIXTURES = new URL('../../../test/fixtures/sip/', import.meta.url);
const seeds = readdirSync(FIXTURES)
  .filter((f) => f.startsWith('valid-'))
  .map((f) => readFileSync(new URL(f, FIXTURES)));

const INTERESTING = Buffer.from(';,:<>"\\ \r\n\t%@=/?[]*0123456789-\x00\xff');

function mutate(input: Buffer, rnd: () => number): Buffer {
  let data = Buffer.from(input);
  const rounds = 1 + Math.floor(rnd() * 4);
  for (let r = 0; r < rounds; r++) {
    const at = Math.floor(rnd() * (data.length + 1));
    const len = Math.floor(rnd() * 12);
    switch (Math.floor(rnd() * 6)) {
      case 0: // replace one byte with an interesting one
        if (data.length > 0)
          data[Math.min(at, data.length - 1)] = INTERESTING[Math.floor(rnd() * INTERESTING.length)]!;
        break;
      case 1: // delete a range
        data = Buffer.concat([data.subarray(0, at), data.subarray(at + len)]);
        break;
      case 2: // duplicate a range (repeated headers, doubled separators)
        data = Buffer.concat([
          data.subarray(0, at + len),
          data.subarray(at, at + len),
          data.subarray(at + len),
        ]);
        break;
      case 3: // insert random bytes
        data = Buffer.concat([
          data.subarray(0, at),
          Buffer.from(Array.from({ length: len }, () => Math.floor(rnd() * 256))),
          data.subarray(at),
        ]);
        break;
      case 4: // truncate
        data = data.subarray(0, at);
        break;
      default: // flip a bit
        if (data.length > 0) data[Math.min(at, data.length - 1)]! ^= 1 << Math.floor(rnd() * 8);
    }
  }
  return data;
}

describe('parser fuzzing', () => {
  it('never throws anything but SipParseError on mutated messages, and what parses serialises and reparses', () => {
    const rnd = seededRandom(0x5eed);
    let parsed = 0;
    let rejected = 0;
    for (let i = 0; i < 6000; i++) {
      const input = mutate(seeds[i % seeds.length]!, rnd);
      let msg: ReturnType<typeof parseMessage>;
      try {
        msg = parseMessage(input);
      } catch (err) {
        if (!(err instanceof SipParseError)) {
          throw new Error(`iteration ${i}: ${String(err)}\n${JSON.stringify(input.toString('latin1'))}`);
        }
        rejected++;
        continue;
      }
      parsed++;
      // Whatever we accepted must serialise to something we accept again (no exception at all here).
      const again = parseMessage(serializeMessage(msg));
      expect(again.callId).toBe(msg.callId);
      if (msg.kind === 'request') checkRequest(msg, { allowedMethods: ['INVITE', 'OPTIONS'] });
    }
    // Both branches must have been exercised for the test to mean anything.
    expect(parsed).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });

  it('the stream framer never throws anything but SipParseError', () => {
    const rnd = seededRandom(0xf4a3e);
    for (let i = 0; i < 2000; i++) {
      const framer = new SipStreamFramer({ maxMessageSize: 4096 });
      const input = mutate(Buffer.concat([seeds[i % seeds.length]!, seeds[(i + 1) % seeds.length]!]), rnd);
      try {
        for (let at = 0, step = 1; at < input.length; at += step, step = 1 + Math.floor(rnd() * 64)) {
          for (const frame of framer.push(input.subarray(at, at + step))) {
            try {
              parseMessage(frame, { framing: 'stream' });
            } catch (err) {
              if (!(err instanceof SipParseError)) throw err;
            }
          }
        }
      } catch (err) {
        if (!(err instanceof SipParseError)) throw new Error(`iteration ${i}: ${String(err)}`);
      }
    }
  });
});
