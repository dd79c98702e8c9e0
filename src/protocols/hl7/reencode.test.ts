import { describe, expect, it } from 'vitest';
import { type Delimiters, STANDARD_DELIMITERS } from './delimiters.ts';
import { splitComposite, toStandardEncoding } from './reencode.ts';

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
});
