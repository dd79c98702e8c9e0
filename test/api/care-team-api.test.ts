import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';

let sb: TestSwitchboard;
let analyst: string;
const clock = new ManualClock('2026-11-22T14:30:00Z');

beforeAll(async () => {
  const dir = await writeBehaviourHospital({
    rules: `rules:
  - id: attending
    match: { type: ORU }
    recipients: [ { careTeam: attending } ]
    priority: high
    title: "Result"
escalationPolicies: []
`,
  });
  // Dr. One is known to the EHR by NPI, Dr. Two by an EHR user id.
  const file = join(dir, 'directory.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8')
      .replace('{ id: p-one, name: Dr. One,', "{ id: p-one, name: Dr. One, ids: { npi: '1234' },")
      .replace('{ id: p-two, name: Dr. Two,', "{ id: p-two, name: Dr. Two, ids: { ehrUser: 'TWO02' },"),
  );
  sb = await startTestSwitchboard({ configDir: dir, clock, cycle: false });
  analyst = await signIn(sb.httpUrl, 'analyst');
  const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
  await client.connect();
  await client.send(
    [
      'MSH|^~\\&|ADT|RGH|SB|RGH|20261122140000||ADT^A01|ADM-CT|P|2.5.1',
      'PID|1||MRN88^^^RGH^MR||DOE^JOHN',
      'PV1|1|I|4W^401^A^RGH||||1234^ONE^DOCTOR^^^^^^^^^^NPI',
      'ROL|1|AD|CP^Consulting^HL70443|TWO02^TWO^DOCTOR',
      'ROL|2|AD|PP^Primary Care^HL70443|9999^NOBODY^KNOWN',
    ].join('\r'),
  );
  await client.close();
  await sb.settled();
});
afterAll(async () => {
  await sb.cleanup();
});

describe('patient care team API', () => {
  it('names the directory person routing would page for each member', async () => {
    const res = await fetch(`${sb.httpUrl}/api/patients/MRN88/care-team`, {
      headers: { authorization: `Bearer ${analyst}` },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    const members = body.careTeam.map((m: { role: string; personId: string | null }) => [m.role, m.personId]);
    expect(members).toEqual([
      ['attending', 'p-one'],
      ['CP', 'p-two'],
      ['PP', null],
    ]);
  });
});
