import { describe, expect, it } from 'vitest';
import { type Delimiters, STANDARD_DELIMITERS } from './delimiters.ts';
import { Hl7Message } from './message.ts';
import { segmentToStandardEncoding, splitComposite, toStandardEncoding } from './reencode.ts';

const dollar: Delimiters = { ...STANDARD_DELIMITERS, component: '$', subcomponent: '%' };

describe('toStandardEncoding', () => {
  it('keeps sub-components as sub-components and escapes only what is inside a value', () => {
    expect(toStandardEncoding('77^ICU&B1&B1&GE_BLR_LAB', STANDARD_DELIMITERS)).toBe(
      '77^ICU&B1&B1&GE_BLR_LAB',
    );
    expect(toStandardEncoding('A\\T\\B^C', STANDARD_DELIMITERS)).toBe('A\\T\\B^C');
  });

  it("rewrites another sender's delimiters, escaping our own where they are data", () => {
    expect(toStandardEncoding('77$ICU%B1$a^b&c', dollar)).toBe('77^ICU&B1^a\\S\\b\\T\\c');
  });

  it('drops trailing empty parts, keeps empty ones between', () => {
    expect(toStandardEncoding('A^^C^^', STANDARD_DELIMITERS)).toBe('A^^C');
    expect(splitComposite('A^B&&^', STANDARD_DELIMITERS)).toEqual([['A'], ['B']]);
  });

  it('writes a whole segment again, repetitions and all', () => {
    const m = Hl7Message.parse('MSH|$~\\%|GW|||||ORU$R40|1|P|2.6\rPID|||77$$$H%1~88||Hon$Amy||\r');
    expect(segmentToStandardEncoding(m.segments('PID')[0]!, m.header.delimiters)).toBe(
      'PID|||77^^^H&1~88||Hon^Amy',
    );
  });
});
