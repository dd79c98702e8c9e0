/**
 * The mutations of the parsers' fuzz tests (src/protocols/{hl7,sip,wctp}/*fuzz.test.ts), shared by every
 * target: byte edits that keep most of a valid input, so the parser gets past its first checks, plus the
 * protocol's own tokens spliced in where they hurt.
 */
import { pick } from '../../test/support/seeded-random.ts';

/** Replace, delete, duplicate, insert, truncate, flip a bit, or splice in a protocol token; 1–6 edits. */
export function mutateBytes(source: Buffer, tokens: readonly string[], next: () => number): Buffer {
  let data = Buffer.from(source);
  const edits = 1 + Math.floor(next() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (data.length + 1));
    const len = Math.floor(next() * 12);
    switch (Math.floor(next() * 7)) {
      case 0:
        if (data.length > 0) data[Math.min(at, data.length - 1)] = Math.floor(next() * 256);
        break;
      case 1:
        data = Buffer.concat([data.subarray(0, at), data.subarray(at + 1 + len)]);
        break;
      case 2: // repeated headers, doubled separators
        data = Buffer.concat([
          data.subarray(0, at + len),
          data.subarray(at, at + len),
          data.subarray(at + len),
        ]);
        break;
      case 3:
        data = Buffer.concat([data.subarray(0, at), randomBytes(len, next), data.subarray(at)]);
        break;
      case 4:
        if (next() < 0.3) data = data.subarray(0, at);
        break;
      case 5:
        if (data.length > 0) data[Math.min(at, data.length - 1)]! ^= 1 << Math.floor(next() * 8);
        break;
      default:
        data = Buffer.concat([data.subarray(0, at), Buffer.from(pick(tokens, next)), data.subarray(at)]);
    }
  }
  return data;
}

/** Protocol-shaped noise: up to `parts` tokens and short random byte runs. */
export function tokenSoup(tokens: readonly string[], parts: number, next: () => number): Buffer {
  const out: Buffer[] = [];
  const n = Math.floor(next() * parts);
  for (let i = 0; i < n; i++) {
    out.push(next() < 0.6 ? Buffer.from(pick(tokens, next)) : randomBytes(1 + Math.floor(next() * 8), next));
  }
  return Buffer.concat(out);
}

export function randomBytes(length: number, next: () => number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

/** A generated input half the time, a mutated seed (sometimes mutated twice) the other half. */
export function generatedOrMutated(
  seeds: readonly Buffer[],
  tokens: readonly string[],
  generate: (next: () => number) => Buffer,
  next: () => number,
): Buffer {
  if (next() < 0.5) return generate(next);
  const once = mutateBytes(pick(seeds, next), tokens, next);
  return next() < 0.3 ? mutateBytes(once, tokens, next) : once;
}
