import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';
import { validatePcd05 } from '../support/pcd05-validator.ts';
import { field, TestAlertReporter } from './mllp-reporter.ts';

export { field };

/**
 * The behaviour hospital (rn-day covers 4W 401-A by day; the failsafe group is operators: p-op) with PCD-05
 * going to one local reporter listener, for the IHE PCD alarm tests. Every PCD-05 a test makes the reporter
 * receive is checked by the PCD-05 validator when the test ends, against the onset PCD-04 it answers.
 */

export interface ReporterLine {
  application: string;
  profile?: 'rev10' | 'legacy';
  when?: 'always' | 'asked';
  statuses?: string[];
}

export interface AlarmHospital {
  sb: TestSwitchboard;
  reporter: TestAlertReporter;
  clock: ManualClock;
}

/** Onset PCD-04s sent per test: PCD-05 MSA-2 and OBR-29.2 must name one of them. */
const onsets: Array<{ controlId: string; fillerOrder: string }> = [];

export async function alarmHospital(
  cleanups: Array<() => Promise<void> | void>,
  options: { reporters?: ReporterLine[]; rules?: string } = {},
): Promise<AlarmHospital> {
  onsets.length = 0;
  const reporter = await TestAlertReporter.start();
  cleanups.push(() => reporter.close());
  const configDir = await writeBehaviourHospital();
  if (options.rules) writeFileSync(join(configDir, 'rules', '40-pcd.yaml'), options.rules);
  const lines = (options.reporters ?? [{ application: 'MONITOR_GW' }]).map((r) => {
    const extra = [
      r.profile ? `profile: ${r.profile}` : '',
      r.when ? `when: ${r.when}` : '',
      r.statuses ? `statuses: [${r.statuses.join(', ')}]` : '',
    ].filter(Boolean);
    return `    - { application: ${r.application}, host: 127.0.0.1, port: ${reporter.port}, ackTimeoutMs: 2000${extra.map((e) => `, ${e}`).join('')} }`;
  });
  const sw = join(configDir, 'switchboard.yaml');
  writeFileSync(
    sw,
    `${readFileSync(sw, 'utf8')}pcd:
  reporters:
${lines.join('\n')}
paging:
  retry: { firstDelayMs: 1000, factor: 2, maxDelayMs: 4000, maxAttempts: 3 }
`,
  );
  const clock = new ManualClock('2026-11-22T14:30:00Z'); // 09:30 in New York: rn-day is on
  const sb = await startTestSwitchboard({ configDir, clock, cycle: false });
  cleanups.push(() => sb.cleanup());
  // Runs before the others (cleanups run last-in first): every PCD-05 of the test, against the TF.
  cleanups.push(() => checkEveryPcd05(reporter.received));
  return { sb, reporter, clock };
}

/** The PCD-05s of the rev10 shape (MSH-21 names the PCD-05 profile) must each pass the validator. */
function checkEveryPcd05(received: readonly string[]) {
  for (const text of received) {
    if (!text.split('\r')[0]?.includes('1.3.6.1.4.1.19376.1.6.1.5.1')) continue;
    const obr29 = field(text, 'OBR', 29).split('^')[1] ?? '';
    const onset = onsets.find((o) => o.fillerOrder.replace(/&/g, '^') === obr29.replace(/&/g, '^'));
    expect(onset, `PCD-05 for an alert no onset PCD-04 of this test named: ${obr29}`).toBeDefined();
    expect(
      validatePcd05(text, { onsetControlId: onset?.controlId, onsetFillerOrder: onset?.fillerOrder }),
      text.replace(/\r/g, '\n'),
    ).toEqual([]);
  }
}

export async function device(
  sb: TestSwitchboard,
  username: string,
  cleanups: Array<() => Promise<void> | void>,
): Promise<FakeDevice> {
  const d = await FakeDevice.connect(sb.httpUrl, await signIn(sb.httpUrl, username), username);
  cleanups.push(() => d.close());
  return d;
}

/**
 * Sends PCD-04s over MLLP as a reporter would and waits until Switchboard has routed them. A message with
 * MSH-15 NE asks for no commit ACK, so none is awaited for it.
 */
export async function send(sb: TestSwitchboard, ...messages: string[]): Promise<void> {
  for (const raw of messages) {
    const m = raw.replace(/\r?\n/g, '\r');
    noteOnset(m);
    if (field(m, 'MSH', 15) === 'NE') {
      const socket = connect(sb.mllpPort, '127.0.0.1');
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      socket.write(frameMllp(m));
      const controlId = field(m, 'MSH', 10);
      await eventually(
        async () => ((await sb.store.messages.list({ controlId })).items.length > 0 ? true : undefined),
        `message ${controlId} stored`,
      );
      socket.destroy();
    } else {
      const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
      await client.connect();
      expect(await client.send(m)).toMatch(/MSA\|[AC]A\|/);
      await client.close();
    }
    await sb.settled();
  }
}

function noteOnset(m: string) {
  const phaseLine = m.split('\r').find((l) => /^OBX\|[^|]*\|[^|]*\|[^|]*MDC_ATTR_EVENT_PHASE/.test(l)) ?? '';
  const phase = (phaseLine.split('|')[5] ?? 'start').toLowerCase();
  if (['start', 'start_only', 'tpoint', 'present'].includes(phase))
    onsets.push({ controlId: field(m, 'MSH', 10), fillerOrder: field(m, 'OBR', 3) });
}

export async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}`);
}

/** Sends what the outbox holds for reporters and waits for `n` PCD-05s in all to have arrived. */
export async function reports(h: AlarmHospital, n: number): Promise<string[]> {
  await eventually(
    async () => ((await h.sb.outbound.outbox.list({ channel: 'pcd-status' })).length >= n ? true : undefined),
    `${n} PCD-05 queued`,
  );
  await h.sb.outbound.worker.runDue();
  return h.reporter.waitFor(n);
}

/** A TF Appendix E example from test/alarms/fixtures/ihe-dev-tf2, with CR segment endings. */
export function tfExample(file: string): string {
  return readFileSync(join(import.meta.dirname, 'fixtures', 'ihe-dev-tf2', file), 'utf8').replace(
    /\n/g,
    '\r',
  );
}
