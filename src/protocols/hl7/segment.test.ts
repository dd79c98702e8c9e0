import { describe, expect, it } from 'vitest';
import { DEFAULT_HL7_LIMITS, type Hl7Limits, splitAtMost } from './limits.ts';
import { Hl7Message } from './message.ts';

const MSH = 'MSH|^~\\&|EHR|RGH|SB|RGH|20260115083000||ADT^A08|C1|P|2.5.1\r';

function adtWithIdentifiers(n: number): string {
  const ids = Array.from({ length: n }, (_, i) => `${1000 + i}^^^RGH&1.2.3&ISO^${i === n - 1 ? 'MR' : 'PI'}`);
  return `${MSH}PID|1||${ids.join('~')}||DOE^JANE\r`;
}

describe('segment repetitions', () => {
  it('splits a field once and hands out the same views on every call', () => {
    const pid = Hl7Message.parse(adtWithIdentifiers(3)).segments('PID')[0];
    const first = pid.repetitions(3);
    expect(pid.repetitions(3)).toBe(first);
    expect(first.map((cx) => [cx.value(1), cx.value(4, 1), cx.value(4, 2), cx.value(5)])).toEqual([
      ['1000', 'RGH', '1.2.3', 'PI'],
      ['1001', 'RGH', '1.2.3', 'PI'],
      ['1002', 'RGH', '1.2.3', 'MR'],
    ]);
    expect(first[0].value()).toBe('1000^^^RGH&1.2.3&ISO^PI');
    expect(first[0].value(9)).toBeUndefined();
    expect(pid.repetitions(4)).toEqual([]); // empty field
    expect(pid.repetitions(40)).toEqual([]); // absent field
  });

  it('reads paths as before: repetition by number, empty fields, MSH delimiters, escapes', () => {
    const m = Hl7Message.parse(`${MSH}PID|1||A~B^x\\S\\y||DOE\r`);
    expect(m.get('PID-3(2).2')).toBe('x^y');
    expect(m.get('PID-3(3).1')).toBeUndefined();
    expect(m.get('PID-4')).toBe('');
    expect(m.get('PID-4.1')).toBe('');
    expect(m.get('PID-4.2')).toBeUndefined();
    expect(m.get('PID-4(2)')).toBeUndefined();
    expect(m.get('MSH-1')).toBe('|');
    expect(m.get('MSH-2')).toBe('^~\\&');
    expect(m.get('MSH-2(2)')).toBeUndefined();
    expect(m.getAll('PID-3.1')).toEqual(['A', 'B']);
  });

  it('reads 20,000 repetitions without limits in time linear in the field (a single pass, not one per repetition)', () => {
    const unlimited: Hl7Limits = { maxRepetitions: Infinity, maxComponents: Infinity, maxSegments: Infinity };
    const pid = Hl7Message.parse(adtWithIdentifiers(20_000), { limits: unlimited }).segments('PID')[0];
    // Before the views were kept, each value('3(i).1') split the whole 500 KB field again (minutes here).
    const ids = pid.repetitions(3).map((cx) => cx.value(1));
    expect(ids).toHaveLength(20_000);
    expect(ids[19_999]).toBe('20999');
    expect(pid.value('3(20000).5')).toBe('MR');
  });
});

describe('limits', () => {
  it('reads at most maxRepetitions and notes the cut without values', () => {
    const m = Hl7Message.parse(adtWithIdentifiers(250));
    const pid = m.segments('PID')[0];
    expect(pid.repetitions(3)).toHaveLength(DEFAULT_HL7_LIMITS.maxRepetitions);
    expect(m.getAll('PID-3.1')).toHaveLength(100);
    expect(m.get('PID-3(101).1')).toBeUndefined();
    expect(m.limitCuts).toEqual([{ where: 'PID-3', kind: 'repetitions', found: 250, read: 100 }]);
    expect(m.limitSummary()).toBe('PID-3: 250 repetitions, read 100');
    expect(m.limitSummary()).not.toContain('1000');
  });

  it('cuts components, subcomponents and segments, and says where', () => {
    const limits: Hl7Limits = { maxRepetitions: 5, maxComponents: 3, maxSegments: 4 };
    const text = `${MSH}PID|1||A^B^C^D^E~X||DOE&VAN&DER&BERG\rPV1|1|I\rOBX|1\rOBX|2\rOBX|3\r\r`;
    const m = Hl7Message.parse(text, { limits });
    expect(m.get('PID-3.3')).toBe('C');
    expect(m.get('PID-3.4')).toBeUndefined();
    expect(m.get('PID-5.1.3')).toBe('DER');
    expect(m.get('PID-5.1.4')).toBeUndefined();
    expect(m.segments().map((s) => s.name)).toEqual(['MSH', 'PID', 'PV1', 'OBX']);
    expect(m.limitCuts).toEqual([
      { where: 'message', kind: 'segments', found: 6, read: 4 },
      { where: 'PID-3(1)', kind: 'components', found: 5, read: 3 },
      { where: 'PID-5(1).1', kind: 'subcomponents', found: 4, read: 3 },
    ]);
  });

  it('a message within the limits has no cuts', () => {
    const m = Hl7Message.parse(adtWithIdentifiers(3));
    m.getAll('PID-3.5');
    expect(m.limitCuts).toEqual([]);
    expect(m.limitSummary()).toBe('');
  });

  it('splitAtMost counts what it leaves', () => {
    expect(splitAtMost('a~b~c~d', '~', 2)).toEqual({ pieces: ['a', 'b'], found: 4 });
    expect(splitAtMost('a~b', '~', 2)).toEqual({ pieces: ['a', 'b'], found: 2 });
    expect(splitAtMost('', '~', 2)).toEqual({ pieces: [''], found: 1 });
  });
});
