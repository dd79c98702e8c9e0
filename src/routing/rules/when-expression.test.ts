import { describe, expect, it } from 'vitest';
import { type WhenContext, WhenExpression } from './when-expression.ts';

function compiled(source: string): WhenExpression {
  const w = WhenExpression.compile(source);
  if (Array.isArray(w)) throw new Error(w.join('; '));
  return w;
}

const context: WhenContext = {
  messageType: 'ORU',
  trigger: 'R01',
  sendingApplication: 'LAB',
  sendingFacility: 'RGH',
  controlId: 'C1',
  listener: 'mllp',
  fields: new Map([
    ['OBX-5', '6.9'],
    ['PV1-3.1', '4W'],
  ]),
  values: new Map([['OBX-8', ['N', 'HH']]]),
};

describe('WhenExpression', () => {
  it('evaluates over the header facts and the fields/values maps', () => {
    expect(compiled("messageType == 'ORU' && listener == 'mllp'").holds(context)).toBe(true);
    expect(compiled("double(fields['OBX-5']) > 6.0").holds(context)).toBe(true);
    expect(compiled("double(fields['OBX-5']) > 7.0").holds(context)).toBe(false);
    expect(compiled("values['OBX-8'].exists(f, f in ['HH', 'LL'])").holds(context)).toBe(true);
    expect(compiled("fields['PV1-3.1'].startsWith('4') && sendingFacility == 'RGH'").holds(context)).toBe(
      true,
    );
  });

  it('finds the paths it reads, so they can be read ahead', () => {
    expect(compiled("fields['OBX-5'] != '' || size(values['OBX-8']) > 0").paths.map((p) => p.text)).toEqual([
      'OBX-5',
      'OBX-8',
    ]);
  });

  it('refuses at compile time what would fail or mislead at run time', () => {
    expect(WhenExpression.compile("messageType == 'ORU' &&")).toEqual([
      expect.stringMatching(/^does not compile: .*at character/),
    ]);
    expect(WhenExpression.compile('messageType == 5')).toEqual([
      expect.stringContaining('does not type-check'),
    ]);
    expect(WhenExpression.compile("type == 'ORU'")).toEqual([
      expect.stringContaining('the message type is called messageType here'),
    ]);
    expect(WhenExpression.compile("patient == 'x'")).toEqual([expect.stringContaining('patient')]);
    expect(WhenExpression.compile('messageType')).toEqual(['must give true or false, but gives string']);
    expect(WhenExpression.compile("fields['OBX-99x'] == ''")).toEqual([
      expect.stringContaining("fields['OBX-99x']"),
    ]);
    expect(WhenExpression.compile("fields[listener] == ''")).toEqual([
      expect.stringContaining('must be given a quoted HL7 path'),
    ]);
  });

  it('throws when an expression fails while running (the rule set turns that into "no match")', () => {
    expect(() => compiled("int(fields['PV1-3.1']) > 2").holds(context)).toThrow();
  });
});
