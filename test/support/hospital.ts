import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTestAccounts, writeTestConfig } from './harness.ts';

/**
 * A tiny hospital for behaviour tests, fixed in time (shifts on 2026-11-22, America/New_York):
 * hospitalist on call: dr.one (call order 1), dr.two (2); house supervisor: sup; failsafe group: operators (op).
 * 4W bed 401-A covered by rn.day 07:00–19:00. Rules: critical ORU (OBX-8 HH/LL) → hospitalist first, with
 * the escalation policy in `policy` (default: step 2 after 2 min → second call, then failsafe).
 */
export async function writeBehaviourHospital(
  options: { policy?: string; rules?: string; shifts?: string } = {},
) {
  const dir = writeTestConfig(
    {
      'directory.yaml': `directory:
  people:
    - { id: p-one, name: Dr. One, contacts: [ { kind: app, address: dr.one } ] }
    - { id: p-two, name: Dr. Two, contacts: [ { kind: app, address: dr.two } ] }
    - { id: p-sup, name: Supervisor, contacts: [ { kind: app, address: sup } ] }
    - { id: p-op, name: Operator, contacts: [ { kind: app, address: op } ] }
    - { id: rn-day, name: Day Nurse, contacts: [ { kind: app, address: rn.day } ] }
  groups:
    - { id: operators, name: Operators, members: [ p-op ] }
`,
      'schedules.yaml': `schedules:
  assignments:
    - { id: hospitalist, name: Hospitalist, type: oncall }
    - { id: supervisor, name: House supervisor, type: oncall }
    - { id: cardiology, name: Cardiology, type: oncall }
  shifts:
${
  options.shifts ??
  `    - { assignment: hospitalist, person: p-one, start: '2026-11-22 07:00', end: '2026-11-23 07:00', callOrder: 1 }
    - { assignment: hospitalist, person: p-two, start: '2026-11-22 07:00', end: '2026-11-23 07:00', callOrder: 2 }
    - { assignment: supervisor, person: p-sup, start: '2026-11-22 07:00', end: '2026-11-23 07:00' }`
}
`,
      'coverage.yaml': `coverage:
  staff:
    - { person: rn-day, role: nurse, unit: 4W, beds: [401-A], start: '07:00', end: '19:00' }
`,
    },
    '',
  );
  const sw = join(dir, 'switchboard.yaml');
  writeFileSync(sw, `${readFileSync(sw, 'utf8')}routing:\n  failsafeGroup: operators\n`);
  mkdirSync(join(dir, 'rules'));
  writeFileSync(
    join(dir, 'rules', 'rules.yaml'),
    options.rules ??
      `rules:
  - id: critical
    match: { type: ORU, fields: [ { path: OBX-8, in: [HH, LL] } ] }
    recipients: [ { onCall: hospitalist, order: first } ]
    priority: urgent
    escalation: critical
    title: "Critical {{OBX-3.2}} {{OBX-5}}"
  - id: cardiology
    match: { type: ORU, fields: [ { path: OBX-3.1, equals: TROP } ] }
    recipients: [ { onCall: cardiology, order: first } ]
    priority: high
    title: "Troponin {{OBX-5}}"
  - id: nurse-digest
    match: { type: ORU, fields: [ { path: OBX-8, equals: A } ] }
    recipients: [ { coverage: nurse } ]
    priority: low
    batch: { minutes: 10 }
    title: "Abnormal {{OBX-3.2}}"
escalationPolicies:
${
  options.policy ??
  `  - id: critical
    steps:
      - { delayMinutes: 0, targets: [ { recipients: rule } ] }
      - { delayMinutes: 2, targets: [ { onCall: hospitalist, order: 2 } ] }
    waitAfterLastStepMinutes: 5
    failsafe: { group: operators }`
}
`,
  );
  await writeTestAccounts(dir, [
    { username: 'dr.one', role: 'clinician', person: 'p-one' },
    { username: 'dr.two', role: 'clinician', person: 'p-two' },
    { username: 'sup', role: 'clinician', person: 'p-sup' },
    { username: 'op', role: 'clinician', person: 'p-op' },
    { username: 'rn.day', role: 'clinician', person: 'rn-day' },
    { username: 'analyst', role: 'analyst' },
  ]);
  return dir;
}

let n = 0;
/** An ORU for the patient in 4W 401-A. */
export function result(code: string, flag: string, value = '2.7', controlId = `BH-${++n}`): string {
  return [
    `MSH|^~\\&|LAB|RGH|SB|RGH|20261122143000||ORU^R01|${controlId}|P|2.5.1`,
    'PID|1||MRN77^^^RGH^MR||DOE^JANE',
    'PV1|1|I|4W^401^A^RGH',
    `OBX|1|NM|${code}^Potassium^LN||${value}|mmol/L|3.5-5.1|${flag}|||F`,
    '',
  ].join('\r');
}
