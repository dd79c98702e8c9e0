import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBatch } from './batch.ts';
import { Hl7ParseError } from './errors.ts';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../test/fixtures/hl7/${name}`, import.meta.url));

describe('parseBatch', () => {
  it('returns the messages inside an FHS/BHS ... BTS/FTS envelope, without the envelope', () => {
    const messages = parseBatch(fixture('batch-fhs-bhs.hl7'));
    expect(messages.map((m) => m.header.controlId)).toEqual(['RL-0111-1', 'RL-0111-2', 'RL-0111-3']);
    expect(messages.map((m) => m.get('PID-5.1'))).toEqual(['ADAMS', 'BELL', 'CHO']);
    for (const m of messages) {
      expect(m.segments().map((s) => s.name)).toEqual(['MSH', 'PID', 'OBR', 'OBX']);
    }
  });

  it('splits messages written back to back, each with its own delimiters and version', () => {
    const messages = parseBatch(fixture('concatenated-3-messages.hl7'));
    expect(messages.map((m) => `${m.header.messageType}^${m.header.triggerEvent}`)).toEqual([
      'ORU^R01',
      'ADT^A02',
      'ADT^A03',
    ]);
    const third = messages[2]!;
    expect(third.header.delimiters.truncation).toBe('#');
    expect(third.header.version).toBe('2.7');
    expect(third.get('PID-5.2')).toBe('IDIL#X');
    expect(messages[1]!.get('PV1-3.2')).toBe('410');
  });

  it('works on strings as on bytes, and on a single message', () => {
    const text = fixture('batch-fhs-bhs.hl7').toString('utf8');
    expect(parseBatch(text).map((m) => m.header.controlId)).toEqual(['RL-0111-1', 'RL-0111-2', 'RL-0111-3']);
    expect(parseBatch(fixture('adt-a01-cr.hl7'))).toHaveLength(1);
  });

  it('keeps each message’s own character set', () => {
    const both = Buffer.concat([fixture('adt-a01-latin1.hl7'), fixture('oru-r01-utf8.hl7')]);
    const [latin, utf] = parseBatch(both);
    expect(latin!.get('PID-5.2')).toBe('JOSÉ');
    expect(utf!.get('PID-5.2')).toBe('ZOË');
  });

  it('accepts a BOM and blank lines between messages', () => {
    const raw = Buffer.concat([
      Buffer.from('\uFEFFMSH|^~\\&|A||||||ADT^A01|M1|P|2.5\r\n\r\n'),
      Buffer.from('\uFEFFMSH|^~\\&|A||||||ADT^A08|M2|P|2.5\n'),
    ]);
    expect(parseBatch(raw).map((m) => m.header.controlId)).toEqual(['M1', 'M2']);
  });

  it('returns no messages for an empty batch', () => {
    expect(parseBatch('FHS|^~\\&|A\rBHS|^~\\&|A\rBTS|0\rFTS|1\r')).toEqual([]);
  });

  it('refuses input with no MSH at all and text before the first message', () => {
    for (const input of ['', '\r\n', 'hello']) {
      expect(() => parseBatch(input)).toThrow(Hl7ParseError);
    }
    try {
      parseBatch('PID|1\rMSH|^~\\&|A||||||ADT^A01|1|P|2.5');
      expect.unreachable();
    } catch (err) {
      expect((err as Hl7ParseError).code).toBe('100');
    }
  });

  it('throws the first unusable message’s error, or reports each to onError and goes on', () => {
    const raw = Buffer.concat([
      fixture('adt-a01-cr.hl7'),
      fixture('orm-o01-missing-msh10.hl7'),
      fixture('orm-o01-crlf.hl7'),
    ]);
    try {
      parseBatch(raw);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(Hl7ParseError);
      expect((err as Hl7ParseError).message).toMatch(/^message 2 of the batch/);
      expect((err as Hl7ParseError).location).toEqual({ segment: 'MSH', sequence: 1, field: 10 });
    }
    const failures: Array<[string, number, string | undefined]> = [];
    const messages = parseBatch(raw, {
      onError: (err, index, slice) => failures.push([err.code, index, slice.toString().split('|')[2]]),
    });
    expect(messages.map((m) => m.header.controlId)).toEqual(['NW-ADT-000731', 'NW-ORD-3301']);
    expect(failures).toEqual([['101', 1, 'ORDERS^ord.example.org^DNS']]);
  });
});
