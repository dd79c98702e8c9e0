import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { criticalPotassium, edArrival, hl7, msh, PATIENT, statOrder, TEST_PATIENT } from './fixtures.ts';
import { loadRules } from './load.ts';
import type { RoutableMessage } from './types.ts';

// The demo hospital's rules, as shipped in config/rules/ (part of the repository, not ../shared).
const dir = fileURLToPath(new URL('../../../config/rules', import.meta.url));

function demo() {
  const { value, problems } = loadRules(dir, { timezone: 'America/New_York' });
  expect(problems).toEqual([]);
  return value!;
}

function routed(message: RoutableMessage): string[] {
  return demo()
    .evaluate({ message, listener: 'mllp' })
    .map((m) => (m.filtered ? `filtered by ${m.rule.id}` : m.rule.id));
}

describe('demo rules (config/rules)', () => {
  it('load without a problem, with every escalation policy ending in a failsafe', () => {
    const set = demo();
    expect(set.rules.length).toBeGreaterThanOrEqual(6);
    for (const policy of set.policies.values()) expect(policy.failsafe.length).toBeGreaterThan(0);
    for (const rule of set.rules.filter((r) => !r.filter && r.priority === 'urgent')) {
      expect(rule.escalationPolicyId, rule.id).toBeDefined();
    }
  });

  it('page the hospitalist for a critical result on a ward, quoting the critical value', () => {
    const [m] = demo().evaluate({ message: criticalPotassium('HH'), listener: 'mllp' });
    expect(m.rule.id).toBe('critical-lab-result');
    expect(m.recipients[0]).toMatchObject({ kind: 'onCall', assignment: 'hospitalist', order: 'first' });
    expect(m.title).toBe('Critical Potassium: 6.9 mmol/L (HH)');
    expect(m.escalationPolicy?.steps[1].targets[0]).toMatchObject({ kind: 'onCall', order: 2 });
    expect(m.escalationPolicy?.failsafe[0]).toMatchObject({ kind: 'group', id: 'operators' });
  });

  it('read the flag whether it is sent plain (HH) or coded (HH^Critical high^HL70078)', () => {
    const coded = hl7(
      msh('ORU^R01'),
      PATIENT,
      'PV1|1|I|4W^402^B',
      'OBX|1|NM|2823-3^Potassium^LN||6.8|mmol/L|3.5-5.1|HH^Critical high^HL70078|||F',
    );
    const [m] = demo().evaluate({ message: coded, listener: 'mllp' });
    expect(m.rule.id).toBe('critical-lab-result');
    expect(m.title).toBe('Critical Potassium: 6.8 mmol/L (HH)');
  });

  it('raise nothing for merely abnormal results (H, L)', () => {
    expect(routed(criticalPotassium('H'))).toEqual([]);
    expect(routed(criticalPotassium('L'))).toEqual([]);
  });

  it("send an ICU patient's critical result to the intensivist only", () => {
    const icu = hl7(
      msh('ORU^R01'),
      PATIENT,
      'PV1|1|I|ICU^^ICU-3^RGH',
      'OBX|1|NM|2823-3^Potassium^LN||7.4|mmol/L|3.5-5.1|HH|||F',
    );
    expect(routed(icu)).toEqual(['critical-result-icu']);
  });

  it('add cardiology for a critical troponin, and rapid response for potassium of 7 or more', () => {
    const troponin = hl7(
      msh('ORU^R01'),
      PATIENT,
      'PV1|1|I|4W^405^A',
      'OBX|1|NM|10839-9^Troponin I^LN||2.4|ng/mL|<0.04|HH',
    );
    expect(routed(troponin)).toEqual(['critical-lab-result', 'critical-troponin']);
    const potassium = hl7(
      msh('ORU^R01'),
      PATIENT,
      'PV1|1|I|4W^405^A',
      'OBX|1|NM|2823-3^Potassium^LN||7.2|mmol/L||HH',
    );
    expect(routed(potassium)).toEqual(['critical-lab-result', 'potassium-rapid-response']);
    const textResult = hl7(msh('ORU^R01'), PATIENT, 'OBX|1|TX|2823-3^Potassium^LN||see note||||');
    expect(routed(textResult)).toEqual([]);
  });

  it('tell the nurse about a STAT order (ORC-7.6 or OBR-27.6), not about a routine one', () => {
    expect(routed(statOrder('S'))).toEqual(['stat-order']);
    expect(routed(statOrder('STAT'))).toEqual(['stat-order']);
    expect(routed(statOrder('R'))).toEqual([]);
    const onRequest = hl7(
      msh('ORM^O01'),
      PATIENT,
      'ORC|NW|ORD1',
      `OBR|1|ORD1||85025^CBC${'|'.repeat(23)}^^^^^STAT`,
    );
    expect(routed(onRequest)).toEqual(['stat-order']);
  });

  it('flag an ED arrival with a severe allergy, and digest every ED arrival for primary care', () => {
    const matches = demo().evaluate({ message: edArrival('SV'), listener: 'mllp' });
    expect(matches.map((m) => m.rule.id)).toEqual(['ed-arrival-severe-allergy', 'ed-arrival-primary-care']);
    expect(matches[0].title).toBe('ED arrival, severe allergy: Penicillin');
    expect(matches[1]).toMatchObject({
      priority: 'low',
      batchMinutes: 15,
      batchKey: 'ed-arrival-primary-care',
    });
    expect(routed(edArrival('MI'))).toEqual(['ed-arrival-primary-care']);
    expect(routed(edArrival('SV', '4W'))).toEqual([]);
  });

  it('drop test patients and training messages', () => {
    const testPatient = hl7(msh('ORU^R01'), TEST_PATIENT, 'OBX|1|NM|2823-3^Potassium||7.1|mmol/L||HH');
    expect(routed(testPatient)).toEqual(['filtered by drop-test-patients']);
    const training = hl7(
      msh('ORU^R01').replace('|P|2.5.1', '|T|2.5.1'),
      PATIENT,
      'OBX|1|NM|2823-3^K||7.1|mmol/L||HH',
    );
    expect(routed(training)).toEqual(['filtered by drop-training-messages']);
  });
});
