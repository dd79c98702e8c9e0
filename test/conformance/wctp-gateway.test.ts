/**
 * Conformance of the gateway's answers: every request in ../shared/specs/wctp (examples and real
 * clients' samples) and in our own fixtures is POSTed to a running Switchboard, and every answer must be
 * valid against the published WCTP 1.3 DTD (xmllint --dtdvalid, offline). Success or refusal, the answer
 * is strict. Needs ../shared (the DTD is not copied here) and xmllint; skipped, loudly, without them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWctp } from '../../src/protocols/wctp/index.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { startTestSwitchboard, type TestSwitchboard, writeTestConfig } from '../support/harness.ts';

const SHARED = fileURLToPath(new URL('../../../shared/specs/wctp/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/wctp/', import.meta.url));
const DTD = `${SHARED}dtd/wctp-dtd-v1r3.dtd`;
const haveXmllint = spawnSync('xmllint', ['--version']).status === 0;
const ready = haveXmllint && existsSync(DTD);
if (!ready)
  console.warn(
    `SKIPPED: WCTP gateway conformance needs xmllint (${haveXmllint ? 'found' : 'missing'}) and ${DTD}`,
  );

const samples = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.xml'))
        .map((f) => join(dir, f))
    : [];

describe.skipIf(!ready)('WCTP gateway answers are valid WCTP 1.3 (xmllint --dtdvalid)', () => {
  let sb: TestSwitchboard;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'wctp-gw-dtd-'));
    // Senders and passwords as the public samples write them, so that their messages are accepted.
    const configDir = writeTestConfig({
      'directory.yaml': `directory:
  people:
    - { id: p-op, name: Operator, contacts: [ { kind: app, address: op }, { kind: pager, address: '2148169898' } ] }
  groups:
    - { id: operators, name: Operators, members: [ p-op ] }
`,
      'wctp.yaml': `wctp:
  senders:
    - { senderID: nursecall@hospital.example, securityCode: s3cr3t }
    - { senderID: nursecall, securityCode: s3cr3t }
    - { senderID: telemetry@hospital.example, securityCode: s3cr3t }
    - { senderID: betauser, securityCode: betapassword, transient: true }
  recipients:
    - { match: '4123', to: { group: operators } }
`,
    });
    sb = await startTestSwitchboard({
      configDir,
      clock: new ManualClock('2024-05-01T14:00:00Z'),
      cycle: false,
    });
  });
  afterAll(async () => {
    await sb?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const files = [
    ...samples(join(SHARED, 'examples')),
    ...samples(join(SHARED, 'real-samples')),
    ...samples(FIXTURES),
    ...samples(join(FIXTURES, 'bad')),
  ];

  it('answers every sample, each valid against the DTD', async () => {
    expect(files.length).toBeGreaterThan(20);
    const answers: string[] = [];
    const outcomes: string[] = [];
    for (const [i, file] of files.entries()) {
      const res = await fetch(`${sb.httpUrl}/wctp`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: readFileSync(file),
      });
      expect(res.status, file).toBe(200);
      const text = await res.text();
      const out = join(work, `${i}-${file.split('/').pop()}`);
      writeFileSync(out, text);
      answers.push(out);
      const parsed = parseWctp(text);
      const result = (parsed as { result?: { kind: string; code?: number } }).result;
      outcomes.push(
        `${file.split('/').pop()} → ${parsed.operation} ${result?.kind ?? ''} ${result?.code ?? ''}`,
      );
    }
    const run = spawnSync('xmllint', ['--nonet', '--noout', '--dtdvalid', DTD, ...answers], {
      encoding: 'utf8',
    });
    const errors = run.stderr
      .split('\n')
      .filter((l) => /error|does not validate/.test(l) && !/Attempt to load network entity/.test(l));
    expect(errors, errors.join('\n')).toEqual([]);
    expect(run.status).toBe(0);
    // The requests that a gateway is asked, from known senders, are accepted.
    const accepted = outcomes.filter((o) => / success/.test(o));
    expect(accepted.some((o) => o.startsWith('01-SubmitRequest.req.xml'))).toBe(true);
    expect(accepted.some((o) => o.startsWith('02-SubmitClientMessage.req.xml'))).toBe(true);
    expect(accepted.some((o) => o.startsWith('php-SubmitRequest.xml'))).toBe(true);
  });
});
