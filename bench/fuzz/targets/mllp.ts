/**
 * MLLP framing: the decoder must give the same frames however the bytes are split into chunks, never hold
 * more than its limit, and never hand out a frame with a VT or FS inside. Its only refusal is the
 * 'oversize' event; it has no exception of its own.
 */
import { FS, MllpDecoder, type MllpEvent, VT } from '../../../src/protocols/hl7/mllp.ts';
import { pick, seededRandom } from '../../../test/support/seeded-random.ts';
import { generatedOrMutated } from '../mutate.ts';
import { type FuzzOutcome, type FuzzTarget, promise } from '../target.ts';
import { filesOf } from './fixtures.ts';

const bodies = filesOf('test/fixtures/hl7', ['.hl7']);
const frame = (body: Buffer) => Buffer.concat([Buffer.from([VT]), body, Buffer.from([FS, 0x0d])]);
const seeds = [Buffer.concat(bodies.slice(0, 3).map(frame)), ...bodies.map(frame)];
const TOKENS = ['\x0b', '\x1c', '\r', '\x1c\r', '\x0b\x1c\r', '\n', '\r\n', '\uFEFF', 'MSH|^~\\&|', ' '];
const SMALL_LIMIT = 200;

function generate(next: () => number): Buffer {
  const parts: Buffer[] = [];
  const n = Math.floor(next() * 12);
  for (let i = 0; i < n; i++) {
    const body = pick(bodies, next);
    const r = next();
    if (r < 0.4) parts.push(frame(body.subarray(0, Math.floor(next() * body.length))));
    else if (r < 0.8) parts.push(Buffer.from(pick(TOKENS, next)));
    else parts.push(body.subarray(Math.floor(next() * body.length)));
  }
  return Buffer.concat(parts);
}

/** Feeds `input` in chunks whose sizes follow from the input itself, so a replay splits it the same way. */
function decode(input: Buffer, limit: number, chunked: boolean): MllpEvent[] {
  const decoder = new MllpDecoder({ maxFrameBytes: limit });
  // The empty push at the end settles an FS that was the last byte (its CR may never come).
  if (!chunked) return [...decoder.push(input), ...decoder.push(Buffer.alloc(0))];
  const next = seededRandom(input.length * 2654435761 + (input[0] ?? 0) + (input.at(-1) ?? 0) * 257);
  const events: MllpEvent[] = [];
  for (let at = 0; at < input.length; ) {
    const step = next() < 0.3 ? 1 : 1 + Math.floor(next() * 64);
    const got = decoder.push(input.subarray(at, at + step));
    events.push(...got);
    // While an oversized frame is being dropped the count goes on but no bytes are held.
    if (!events.some((e) => e.kind === 'oversize'))
      promise(decoder.buffered <= limit, 'the decoder holds no more than its limit');
    at += step;
  }
  events.push(...decoder.push(Buffer.alloc(0)));
  return events;
}

const describe = (events: MllpEvent[]) =>
  events
    .map((e) => (e.kind === 'frame' ? `frame:${e.body.toString('latin1')}` : `oversize:${e.size > 0}`))
    .join('\n');

export const mllp: FuzzTarget = {
  name: 'mllp',
  input: (_i, next) => generatedOrMutated(seeds, TOKENS, generate, next),
  check(input): FuzzOutcome {
    let oversize = false;
    for (const limit of [1024 * 1024, SMALL_LIMIT]) {
      const whole = decode(input, limit, false);
      const chunked = decode(input, limit, true);
      for (const event of chunked) {
        if (event.kind === 'oversize') oversize = true;
        else {
          promise(!event.body.includes(VT) && !event.body.includes(FS), 'a frame holds no VT or FS');
          promise(event.body.length <= limit, 'a frame is within the limit');
        }
      }
      // Oversized frames are dropped from the point they are seen, which depends on the chunks.
      if (limit > input.length)
        promise(describe(whole) === describe(chunked), 'frames do not depend on chunking');
    }
    return oversize ? 'refused' : 'accepted';
  },
};
