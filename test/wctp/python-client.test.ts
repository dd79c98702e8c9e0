/**
 * An independent client — a Python standard-library script, not our code — drives a nurse call through
 * Switchboard to the covering nurse's acceptance, and receives the StatusInfo and the MessageReply on
 * its own HTTP listener. Skipped, loudly, where python3 is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { NURSE_CALL, WCTP_ENV, writeWctpHospital } from './wctp-hospital.ts';

const SCRIPT = fileURLToPath(new URL('../peers/wctp_nurse_call.py', import.meta.url));
const havePython = spawnSync('python3', ['--version']).status === 0;
if (!havePython) console.warn('SKIPPED: the independent WCTP client needs python3');

let sb: TestSwitchboard | undefined;
afterAll(() => sb?.cleanup());

describe.skipIf(!havePython)('independent WCTP client (Python urllib + http.server)', () => {
  it('nurse call → covering nurse accepts → DELIVERED and the reply reach the client', async () => {
    sb = await startTestSwitchboard({
      configDir: await writeWctpHospital(),
      env: WCTP_ENV,
      clock: new ManualClock('2026-11-22T14:30:00Z'),
      cycle: false,
    });
    const nurse = await FakeDevice.connect(sb.httpUrl, await signIn(sb.httpUrl, 'rn.day'), 'rn.day');
    const child = spawn(
      'python3',
      [
        SCRIPT,
        `${sb.httpUrl}/wctp`,
        NURSE_CALL.senderID,
        NURSE_CALL.securityCode,
        'NC-401-A',
        'Rm 401 Bed A: bathroom',
        '20',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const alert = await nurse.waitForAlert((a) => a.title === 'Rm 401 Bed A: bathroom');
      expect(alert.choices).toEqual(['Accept', 'Reject']);
      await nurse.answer('accept', alert.id);
      expect(await exit, `${out}\n${err}`).toBe(0);
    } finally {
      child.kill();
      nurse.close();
    }
    expect(out).toMatch(/^CONFIRMED wctp-Success 200 PY-/m);
    expect(out).toMatch(/^PUSH StatusInfo DELIVERED for PY-/m);
    expect(out).toMatch(/^PUSH MessageReply Accept mcr=true for PY-/m);
  }, 30_000);
});
