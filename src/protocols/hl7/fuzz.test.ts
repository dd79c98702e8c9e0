/**
 * Property tests on hostile input: whatever the bytes, the codec throws nothing but Hl7ParseError,
 * every ACK it builds parses back, and a reject can always be built. Seeded, so a failure repeats.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/support/seeded-random.ts';
import { type AckCode, buildAck, buildRejectAck } from './ack.ts';
import { ackMode } from './ack-mode.ts';
import { parseBatch } from './batch.ts';
import { Hl7ParseError } from './errors.ts';
import { parseHeader } from './header.ts';
import { Hl7Message } from './message.ts';

const fixtureDir = new URL('../../../test/fixtures/hl7/', import.meta.url);
const fixtures = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.hl7'))
  .map((name) => readFileSync(new URL(name, fixtureDir)));

const TOKENS = [
  'MSH',
  'MSH|^~\\&|',
  'FHS|',
  'BHS|',
  'BTS|',
  '|',
  '^',
  '~',
  '\\',
  '&',
  '#',
  '\r',
  '\n',
  '\r\n',
  '\uFEFF',
  '\\X',
  '\\.br\\',
  '\\F\\',
  'OBX',
  'PID',
  ' ',
  '8859/1',
  'ACK',
  '\\Z',
];

function randomInput(next: () => number): Buffer {
  const parts: Buffer[] = [];
  const n = Math.floor(next() * 40);
  if (next() < 0.5) parts.push(Buffer.from('MSH'));
  for (let i = 0; i < n; i++) {
    if (next() < 0.5) parts.push(Buffer.from(TOKENS[Math.floor(next() * TOKENS.length)]!));
    else
      parts.push(
        Buffer.from(Array.from({ length: 1 + Math.floor(next() * 8) }, () => Math.floor(next() * 256))),
      );
  }
  return Buffer.concat(parts);
}

function mutate(source: Buffer, next: () => number): Buffer {
  const bytes = [...source];
  const edits = 1 + Math.floor(next() * 6);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (bytes.length + 1));
    const op = next();
    if (op < 0.4) bytes[at] = Math.floor(next() * 256);
    else if (op < 0.7) bytes.splice(at, 1 + Math.floor(next() * 10));
    else bytes.splice(at, 0, ...Buffer.from(TOKENS[Math.floor(next() * TOKENS.length)]!));
  }
  return Buffer.from(bytes.filter((b) => b !== undefined));
}

const PATHS = [
  'MSH-9',
  'MSH-2',
  'PID-3',
  'PID-3(2).1',
  'PID-5.1.2',
  'OBX[2]-5.1',
  'OBX-8',
  'ZAL-2.2',
  'NTE-3',
];
const now = new Date(Date.UTC(2025, 5, 1, 12, 0, 0));

/** Uses every entry point on one input; returns the Hl7ParseError thrown, if any, after checks. */
function exercise(raw: Buffer | string): void {
  let header: ReturnType<typeof parseHeader> | undefined;
  try {
    header = parseHeader(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(Hl7ParseError);
    const reject = buildRejectAck(raw, err as Hl7ParseError, { controlId: 'R1', now });
    const parsed = Hl7Message.parse(reject);
    expect(parsed.get('MSA-1')).toBe('AR');
    expect(parsed.header.controlId).toBe('R1');
  }
  if (header !== undefined) {
    const message = Hl7Message.parse(raw);
    expect(typeof message.text).toBe('string');
    for (const path of PATHS) {
      const value = message.get(path);
      expect(value === undefined || typeof value === 'string').toBe(true);
      for (const v of message.getAll(path)) expect(typeof v).toBe('string');
    }
    for (const segment of message.segments()) {
      segment.field(3);
      segment.value('1.1');
    }
    expect(() => JSON.stringify(message.toView())).not.toThrow();
    ackMode(header);
    for (const code of ['AA', 'AE', 'CR'] as AckCode[]) {
      const ack = Hl7Message.parse(
        buildAck(header, { code, controlId: 'A1', now, text: 'x|y', error: { code: '207', text: 'z^w' } }),
      );
      expect(ack.get('MSA-1')).toBe(code);
      // MSA-2 echoes MSH-10 exactly as sent (raw), which is what the sender compares.
      expect(ack.segments('MSA')[0]!.field(2) ?? '').toBe(header.mshFields?.[10] ?? '');
      expect(ack.header.controlId).toBe('A1');
    }
  }
  try {
    parseBatch(raw, { onError: (err) => expect(err).toBeInstanceOf(Hl7ParseError) });
  } catch (err) {
    expect(err).toBeInstanceOf(Hl7ParseError);
  }
}

describe('hostile input', () => {
  it('random bytes and HL7-shaped noise never throw anything but Hl7ParseError', () => {
    const next = seededRandom(0x5eed);
    for (let i = 0; i < 1000; i++) {
      const raw = randomInput(next);
      exercise(raw);
      exercise(raw.toString('latin1'));
    }
  });

  it('mutated fixtures never throw anything but Hl7ParseError, and their ACKs parse back', () => {
    const next = seededRandom(20250102);
    for (let i = 0; i < 1000; i++) {
      exercise(mutate(fixtures[i % fixtures.length]!, next));
    }
  });
});
