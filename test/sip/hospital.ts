/**
 * A tiny hospital for SIP tests: the hospitalist on call now (Dr. One, call order 1; Dr. Two, call
 * order 2), each with a desk phone (a fixed SIP contact: a sipp UAS), and Dr. Three who has only a
 * registered phone (SIP account dr.three). Shifts are written around the current time, so the tests run
 * on any day. Dial plan: 4100 → hospitalist on call (sequential, 4 s no-answer: long enough for a loaded CI machine); 4101 → Dr. Three;
 * 4102 → hospitalist everyone at once; 4444 → the same, as a text (SIP MESSAGE); 4200 → cardiology on
 * call (Dr. Three, whose only phone is a registered one).
 */
import { DateTime } from 'luxon';
import { writeTestAccounts, writeTestConfig } from '../support/harness.ts';

export const HOSPITAL_NUMBER = '6175550100';

export async function writeSipHospital(options: {
  one: string;
  two: string;
  trusted?: string[];
  nurseCall?: { host: string; port: number };
  noAnswerSeconds?: number;
  /** Challenge algorithms, preferred first (baresip 1.0 gives up on a SHA-256 challenge it cannot answer). */
  digestAlgorithms?: string[];
  /** SIP over TLS on a free port, with this certificate. */
  tls?: { certFile: string; keyFile: string };
}) {
  const zone = 'America/New_York';
  const now = DateTime.now().setZone(zone);
  const fmt = (d: DateTime) => d.toFormat('yyyy-MM-dd HH:mm');
  const start = fmt(now.minus({ hours: 1 }).startOf('minute'));
  const end = fmt(now.plus({ hours: 23 }).startOf('minute'));
  const dir = writeTestConfig(
    {
      'directory.yaml': `directory:
  people:
    - { id: p-one, name: Dr. One, contacts: [ { kind: app, address: dr.one }, { kind: sip, address: '${options.one}' } ] }
    - { id: p-two, name: Dr. Two, contacts: [ { kind: app, address: dr.two }, { kind: sip, address: '${options.two}' } ] }
    - { id: p-three, name: Dr. Three, contacts: [ { kind: app, address: dr.three } ] }
`,
      'schedules.yaml': `schedules:
  assignments:
    - { id: hospitalist, name: Hospitalist, type: oncall }
    - { id: cardiology, name: Cardiology, type: oncall }
  shifts:
    - { assignment: hospitalist, person: p-one, start: '${start}', end: '${end}', callOrder: 1 }
    - { assignment: hospitalist, person: p-two, start: '${start}', end: '${end}', callOrder: 2 }
    - { assignment: cardiology, person: p-three, start: '${start}', end: '${end}', callOrder: 1 }
`,
      'sip.yaml': `sip:
  hospitalNumber: '${HOSPITAL_NUMBER}'
  hospitalName: Test Hospital
  noAnswerSeconds: ${options.noAnswerSeconds ?? 4}
  trustedAddresses: [ ${(options.trusted ?? ['127.0.0.2']).map((a) => `'${a}'`).join(', ')} ]
  accounts:
    - { username: dr.three, person: p-three, password: '\${SIP_PASSWORD_DR_THREE}' }
${options.nurseCall ? `  nurseCall: { host: '${options.nurseCall.host}', port: ${options.nurseCall.port} }\n` : ''}  dialPlan:
    - { id: hospitalist, numbers: ['4100'], recipients: [ { onCall: hospitalist } ], ring: sequential }
    - { id: dr-three, numbers: ['4101'], recipients: [ { person: p-three } ] }
    - { id: cardiology, numbers: ['4200'], recipients: [ { onCall: cardiology } ] }
    - { id: hospitalist-all, numbers: ['4102', '4444'], recipients: [ { onCall: hospitalist, order: all } ], ring: parallel }
`,
    },
    // sipp answers the first challenge only and knows MD5 only: MD5 comes first by default here.
    `  sip:\n    enabled: true\n    host: 127.0.0.1\n    port: 0\n    realm: test.hospital\n    digestAlgorithms: [${(options.digestAlgorithms ?? ['MD5', 'SHA-256']).join(', ')}]\n${options.tls ? `    tls: { enabled: true, port: 0, certFile: '${options.tls.certFile}', keyFile: '${options.tls.keyFile}' }\n` : ''}`,
  );
  await writeTestAccounts(dir, [
    { username: 'dr.one', role: 'clinician', person: 'p-one' },
    { username: 'dr.three', role: 'clinician', person: 'p-three' },
    { username: 'analyst', role: 'analyst' },
  ]);
  return dir;
}

export const SIP_ENV = { SIP_PASSWORD_DR_THREE: 'three-secret' };
