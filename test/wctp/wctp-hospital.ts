import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTestAccounts, writeTestConfig } from '../support/harness.ts';

/** The nurse call system's credentials in the WCTP test hospital. */
export const NURSE_CALL = { senderID: 'nursecall@test.example', securityCode: 'nc-test-code' };
export const PAGING_CLIENT = { senderID: 'webpager', password: 'wp-test-password' };

/**
 * A tiny hospital for WCTP behaviour tests (day shift on 2026-11-22, America/New_York):
 * 4W bed 401-A: nurse rn-day, tech tech-day (07:00–19:00); charge nurse charge-4w for the unit;
 * rapid response team: rrt-one; hospitalist on call: p-one (pager 617-555-0101); failsafe: operators (op).
 * WCTP: nurse-call addresses `4W-<room>-<bed>-<event>` and `NC-<room>-<bed>`; `RRT` → the team;
 * events water (low → tech), bathroom (high → nurse), code (urgent → team, no escalation wait).
 */
export async function writeWctpHospital(extraWctp = '') {
  const dir = writeTestConfig({
    'directory.yaml': `directory:
  people:
    - { id: rn-day, name: Day Nurse, title: RN, contacts: [ { kind: app, address: rn.day } ] }
    - { id: tech-day, name: Day Tech, title: PCT, contacts: [ { kind: app, address: tech.day } ] }
    - { id: charge-4w, name: Charge Nurse, title: RN, contacts: [ { kind: app, address: charge } ] }
    - { id: rrt-one, name: Rapid Responder, contacts: [ { kind: app, address: rrt.one } ] }
    - { id: p-one, name: Dr. One, ids: { employeeId: 'E77' }, contacts: [ { kind: app, address: dr.one }, { kind: pager, address: '617-555-0101' } ] }
    - { id: p-op, name: Operator, contacts: [ { kind: app, address: op } ] }
  groups:
    - { id: operators, name: Operators, members: [ p-op ] }
    - { id: rapid-response-team, name: Rapid response, members: [ rrt-one ] }
`,
    'schedules.yaml': `schedules:
  assignments:
    - { id: hospitalist, name: Hospitalist, type: oncall }
  shifts:
    - { assignment: hospitalist, person: p-one, start: '2026-11-22 07:00', end: '2026-11-23 07:00' }
`,
    'coverage.yaml': `coverage:
  staff:
    - { person: rn-day, role: nurse, unit: 4W, beds: [401-A], start: '07:00', end: '19:00' }
    - { person: tech-day, role: tech, unit: 4W, beds: [401-A], start: '07:00', end: '19:00' }
    - { person: charge-4w, role: charge-nurse, unit: 4W }
`,
    'wctp.yaml': `wctp:
  gatewayId: switchboard.test
  maxMessageLength: 200
  maxChoices: 4
  maxRecipients: 3
  push: { attempts: 3, firstRetrySeconds: 1, maxRetrySeconds: 4, timeoutSeconds: 2 }
  senders:
    - { senderID: '${NURSE_CALL.senderID}', securityCode: '\${TEST_NC_CODE}' }
    - { senderID: '${PAGING_CLIENT.senderID}', securityCode: '${PAGING_CLIENT.password}', transient: true }
  recipients:
    - { match: '{unit}-{room}-{bed}-{event}', nurseCall: true, callback: '4{room}' }
    - { match: 'NC-{room}-{bed}', nurseCall: true, unit: 4W }
    - { match: RRT, to: { group: rapid-response-team }, priority: urgent }
  events:
    - { id: code, words: [code blue, code], priority: urgent, to: { group: rapid-response-team } }
    - { id: bathroom, words: [bathroom, toilet, bath], priority: high }
    - { id: water, words: [water, drink], priority: low }
  nurseCall:
    escalation: nurse-call
${extraWctp}`,
  });
  mkdirSync(join(dir, 'rules'));
  writeFileSync(
    join(dir, 'rules', 'policies.yaml'),
    `escalationPolicies:
  - id: nurse-call
    steps:
      - { delayMinutes: 0, targets: [ { recipients: rule } ] }
      - { delayMinutes: 2, targets: [ { coverage: nurse } ] }
      - { delayMinutes: 2, targets: [ { coverage: charge-nurse, scope: unit } ] }
    waitAfterLastStepMinutes: 5
    failsafe: { group: operators }
`,
  );
  await writeTestAccounts(dir, [
    { username: 'rn.day', role: 'clinician', person: 'rn-day' },
    { username: 'tech.day', role: 'clinician', person: 'tech-day' },
    { username: 'charge', role: 'clinician', person: 'charge-4w' },
    { username: 'rrt.one', role: 'clinician', person: 'rrt-one' },
    { username: 'dr.one', role: 'clinician', person: 'p-one' },
    { username: 'op', role: 'clinician', person: 'p-op' },
  ]);
  return dir;
}

/** The environment the hospital needs (the nurse call's code is a secret, as in production). */
export const WCTP_ENV = { TEST_NC_CODE: NURSE_CALL.securityCode };

let n = 0;
/** A wctp-SubmitRequest from the nurse-call system, written the way real clients write it. */
export function submitRequest(
  recipientID: string,
  text: string,
  options: {
    messageID?: string;
    securityCode?: string;
    control?: string;
    choices?: string[];
    version?: string;
  } = {},
): string {
  const messageID = options.messageID ?? `NC-${Date.now().toString(36)}-${++n}`;
  const payload = options.choices
    ? `<wctp-MCR><wctp-MessageText>${text}</wctp-MessageText>${options.choices.map((c) => `<wctp-Choice>${c}</wctp-Choice>`).join('')}</wctp-MCR>`
    : `<wctp-Alphanumeric>${text}</wctp-Alphanumeric>`;
  return `<?xml version="1.0"?>
<!DOCTYPE wctp-Operation SYSTEM "http://nowhere.invalid/wctp-dtd-v1r3.dtd">
<wctp-Operation wctpVersion="${options.version ?? 'WCTP-DTD-V1R3'}">
 <wctp-SubmitRequest>
  <wctp-SubmitHeader>
   <wctp-Recipient recipientID="${recipientID}"/>
   <wctp-Originator senderID="${NURSE_CALL.senderID}" securityCode="${options.securityCode ?? NURSE_CALL.securityCode}"/>
   <wctp-MessageControl messageID="${messageID}" ${options.control ?? ''}/>
  </wctp-SubmitHeader>
  <wctp-Payload>${payload}</wctp-Payload>
 </wctp-SubmitRequest>
</wctp-Operation>`;
}

/** POSTs a document to /wctp; resolves with the HTTP status and the answer text. */
export async function postWctp(httpUrl: string, body: string, contentType = 'text/xml') {
  const res = await fetch(`${httpUrl}/wctp`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}
