import { describe, expect, it } from 'vitest';
import { criticalPotassium } from './fixtures.ts';
import { Template, type TemplateScope } from './template.ts';

function scope(): TemplateScope {
  const message = criticalPotassium();
  return { message, listener: 'mllp', read: (p) => p.firstValue(message) };
}

function parsed(source: string): Template {
  const t = Template.parse(source);
  if (Array.isArray(t)) throw new Error(t.join('; '));
  return t;
}

describe('Template', () => {
  it('fills HL7 paths and header names', () => {
    const t = parsed('{{PID-5.2}} {{PID-5.1}} ({{ PID-3.1 }}) on {{PV1-3.1}}-{{PV1-3.2}} via {{listener}}');
    expect(t.render(scope())).toBe('ANA RIVERA (MRN40021) on 4W-401 via mllp');
    expect(
      parsed(
        '{{messageType}}^{{trigger}} from {{sendingApplication}}@{{sendingFacility}} #{{controlId}}',
      ).render(scope()),
    ).toBe('ORU^R01 from LAB@RGH #C1001');
    expect(t.paths.map((p) => p.text)).toEqual(['PID-5.2', 'PID-5.1', 'PID-3.1', 'PV1-3.1', 'PV1-3.2']);
  });

  it('renders a missing value as empty, or refuses in strict mode', () => {
    const t = parsed('{{PID-3.1}}-{{ZZZ-1}}');
    expect(t.render(scope())).toBe('MRN40021-');
    expect(t.render(scope(), true)).toBeUndefined();
    expect(parsed('{{PID-3.1}}').render(scope(), true)).toBe('MRN40021');
  });

  it('keeps text without placeholders as it is', () => {
    expect(parsed('Rapid response needed').render(scope())).toBe('Rapid response needed');
  });

  it('reports bad paths, unknown names and unclosed braces', () => {
    expect(Template.parse('{{PID-0}} and {{patientName}}')).toEqual([
      expect.stringContaining('{{PID-0}} is neither an HL7 path'),
      expect.stringContaining('{{patientName}} is neither an HL7 path'),
    ]);
    expect(Template.parse('Critical {{OBX-5')).toEqual([expect.stringContaining("'{{' at character 10")]);
  });
});
