import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';
import { msa, RawMllpPeer } from '../support/mllp-socket.ts';

/**
 * An ADT^A08 of about `bytes` bytes whose PID-3 repeats one identifier after another: 20,000 repetitions
 * (40 KB) once froze the main thread for 28 s, and the message came back after every restart.
 */
function repetitionHeavyAdt(controlId: string, bytes: number): string {
  const head = `MSH|^~\\&|EHR|RGH|SB|RGH|20261122143000||ADT^A08|${controlId}|P|2.5.1\rEVN|A08|20261122143000\rPID|1||`;
  const tail = '||DOE^JANE||19700101|F\rPV1|1|I|4W^401^A^RGH\r';
  const ids: string[] = [];
  let size = head.length + tail.length;
  for (let i = 0; size + 20 < bytes; i++) {
    const cx = `${900000 + i}^^^RGH^PI`;
    ids.push(cx);
    size += cx.length + 1;
  }
  return `${head}MRN77^^^RGH^MR~${ids.join('~')}${tail}`;
}

const running: TestSwitchboard[] = [];
const devices: FakeDevice[] = [];
const children = new Set<ChildProcess>();
const folders: string[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) d.close();
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
});
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** Switchboard in a child process (so a frozen one cannot freeze the test), with its ports. */
function startChild(
  configDir: string,
  dataDir: string,
): Promise<{ child: ChildProcess; mllp: number; http: number }> {
  const script = new URL('../support/child-switchboard.ts', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const child = fork(script, [configDir, dataDir], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    children.add(child);
    child.once('exit', () => children.delete(child));
    child.once('message', (m: { mllp: number; http: number }) => resolve({ child, ...m }));
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
}

async function json(url: string, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('a repetition-heavy ADT', () => {
  it('of 1 MiB does not hold up the ORU behind it: its alert reaches the clinician, and the ADT says what was not read', async () => {
    const clock = new ManualClock('2026-11-22T14:30:00Z');
    const sb = await startTestSwitchboard({ configDir: await writeBehaviourHospital(), clock, cycle: false });
    running.push(sb);
    const doctor = await FakeDevice.connect(sb.httpUrl, await signIn(sb.httpUrl, 'dr.one'), 'dr.one');
    devices.push(doctor);

    const adt = repetitionHeavyAdt('POISON-ADT-1', 1_040_000);
    expect(adt.length).toBeGreaterThan(1_000_000);
    const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
    await client.connect();
    expect(await client.send(adt)).toContain('MSA|AA|POISON-ADT-1');
    expect(await client.send(result('2823-3', 'LL', '2.7', 'AFTER-POISON-1'))).toContain('MSA|AA|');
    await client.close();

    const alert = await doctor.waitForAlert();
    expect(alert).toMatchObject({ title: 'Critical Potassium 2.7', priority: 'urgent' });

    await sb.settled();
    const analyst = await signIn(sb.httpUrl, 'analyst');
    const { items } = await sb.store.messages.list({ controlId: 'POISON-ADT-1' });
    const { status, body } = await json(`${sb.httpUrl}/api/messages/${items[0].id}`, analyst);
    expect(status).toBe(200);
    expect(body.status).not.toBe('received');
    expect(body.statusDetail).toMatch(
      /read in part \(over routing\.limits\): PID-3: \d{5} repetitions, read 100/,
    );
    // The census read what it could: the patient is still MRN77, from the first repetition.
    expect((await sb.store.census.patient('MRN77'))?.mrn).toBe('MRN77');
  }, 60_000);

  it('in the journal at a crash: the restarted server answers /api/health and does not route it forever', async () => {
    const configDir = await writeBehaviourHospital();
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-poison-crash-'));
    folders.push(configDir, dataDir);
    const first = await startChild(configDir, dataDir);
    const peer = await RawMllpPeer.open(first.mllp);
    peer.write(frameMllp(repetitionHeavyAdt('POISON-CRASH-1', 1_040_000)));
    peer.write(frameMllp(result('2823-3', 'LL', '2.7', 'AFTER-CRASH-1')));
    // Killed as soon as both are acknowledged: they are in the journal, perhaps not yet in the store.
    while (peer.acks.length < 2) await new Promise((r) => setTimeout(r, 1));
    first.child.kill('SIGKILL');
    expect(peer.acks.map((a) => msa(a).code)).toEqual(['AA', 'AA']);
    peer.close();
    await new Promise((r) => first.child.once('exit', r));

    const again = await startChild(configDir, dataDir);
    const health = await json(`http://127.0.0.1:${again.http}/api/health`);
    expect(health.status).toBe(200);
    again.child.kill('SIGKILL');
    await new Promise((r) => again.child.once('exit', r));

    // Both were replayed and routed once; neither waits to be routed at the next start.
    const sb = await startTestSwitchboard({ configDir, dataDir, cycle: false });
    running.push(sb);
    await sb.routing.router.drained();
    for (const controlId of ['POISON-CRASH-1', 'AFTER-CRASH-1']) {
      const { items } = await sb.store.messages.list({ controlId });
      expect(items).toHaveLength(1);
      expect(items[0].status).not.toBe('received');
    }
  }, 90_000);
});
