import { describe, expect, it } from 'vitest';
import { pagerDigits, VirtualNumbers } from './virtual-numbers.ts';

describe('VirtualNumbers', () => {
  const book = new VirtualNumbers([
    {
      number: '555-0190',
      name: 'Rapid response',
      target: { group: 'rapid-response-team' },
      priority: 'urgent',
    },
    { number: '1 (617) 555-0191', target: { onCall: 'hospitalist' }, priority: 'high' },
    {
      number: '555-0192',
      target: { coverage: 'nurse', unit: '4W', room: '401', bed: 'A' },
      priority: 'high',
    },
    { number: '555-0193', target: { coverage: 'charge-nurse', unit: 'ICU' }, priority: 'normal' },
    { number: '555-0194', target: { coverage: 'tech' }, priority: 'normal' },
    { number: '555-0195', target: {}, priority: 'normal' },
  ]);

  it('finds a number whatever its punctuation, with its recipients', () => {
    expect(book.find('5550190')?.recipients).toEqual([
      expect.objectContaining({ kind: 'group', id: 'rapid-response-team' }),
    ]);
    expect(book.find('+1 617 555 0191')?.recipients).toEqual([
      expect.objectContaining({ kind: 'onCall', assignment: 'hospitalist', order: 'first' }),
    ]);
    expect(book.find('555-0199')).toBeUndefined();
  });

  it('turns a coverage target into a bed (or unit) location for the resolver', () => {
    const bed = book.find('555-0192')!;
    expect(bed.recipients).toEqual([
      expect.objectContaining({ kind: 'coverage', role: 'nurse', scope: 'bedOrUnit' }),
    ]);
    expect(bed.location).toEqual({ unit: '4W', room: '401', bed: 'A' });
    const unit = book.find('555-0193')!;
    expect(unit.recipients).toEqual([expect.objectContaining({ kind: 'coverage', scope: 'unit' })]);
  });

  it('reports targets an analyst must fix', () => {
    expect(book.problems()).toEqual([
      'virtual number 555-0194: a coverage target needs a unit',
      'virtual number 555-0195 has no target',
    ]);
  });

  it('compares numbers by digits, a NANP leading 1 dropped', () => {
    expect(pagerDigits('1-617-555-0101')).toBe('6175550101');
    expect(pagerDigits('555.0101')).toBe('5550101');
  });
});
