import { describe, expect, it } from 'vitest';
import { controlIdOf, minimalAckSource } from './minimal-ack.ts';

describe('controlIdOf', () => {
  it('reads MSH-10', () => {
    const msg = Buffer.from('MSH|^~\\&|LAB|RGH|SB|RGH|20260115083000||ORU^R01|CTRL-42|P|2.5.1\rPID|1\r');
    expect(controlIdOf(msg)).toBe('CTRL-42');
  });

  it('follows the message’s own field separator', () => {
    expect(controlIdOf(Buffer.from('MSH#^~\\&#A#B#C#D#TS##ADT^A01#ID7#P#2.3\r'))).toBe('ID7');
  });

  it('reads an MSH-10 that ends the segment', () => {
    expect(controlIdOf(Buffer.from('MSH|^~\\&|A|B|C|D|TS||ADT^A01|LAST\rPID|1\r'))).toBe('LAST');
  });

  it('is undefined for what is not an MSH with ten fields', () => {
    expect(controlIdOf(Buffer.from('PID|1||123'))).toBeUndefined();
    expect(controlIdOf(Buffer.from('MSH|^~\\&|A|B\r'))).toBeUndefined();
  });
});

describe('minimalAckSource', () => {
  it('acknowledges AA with MSA-2 echoing the control id, each ACK with its own MSH-10', () => {
    const ack = minimalAckSource();
    const first = ack('ABC').split('\r');
    const second = ack('ABC').split('\r');
    expect(first[1]).toBe('MSA|AA|ABC');
    expect(first[0].split('|')[8]).toBe('ACK');
    expect(first[0].split('|')[9]).not.toBe(second[0].split('|')[9]);
  });
});
