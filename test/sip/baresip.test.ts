/**
 * A real phone: baresip (Debian baresip-core) registers as Dr. Three with digest, auto-answers, and takes
 * a call to the cardiology number because Dr. Three is on call for cardiology now. The caller is SIPp.
 * baresip plays an 8 kHz tone written by the test (its `ausine` source works only at 48 kHz).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { SIP_ENV, writeSipHospital } from './hospital.ts';
import { freeUdpPort, settle, sipp, sippAvailable } from './sipp.ts';

const BARESIP = '/usr/bin/baresip';
const MODULES = '/usr/lib/baresip/modules';
const available = existsSync(BARESIP) && existsSync(MODULES) && sippAvailable;
if (!available) console.warn('[baresip] SKIPPED: baresip (Debian baresip-core) or sipp is not installed');

/** One second of a 440 Hz tone, 8 kHz 16-bit mono PCM, as a WAV file. */
function toneWav(file: string): void {
  const samples = 8000;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(file, Buffer.concat([header, data]));
}

describe.skipIf(!available)('baresip as the on-call doctor’s phone', () => {
  let sb: TestSwitchboard | undefined;
  let phone: ChildProcess | undefined;
  afterAll(async () => {
    phone?.kill('SIGKILL');
    await sb?.cleanup();
  });

  it('registers with digest, and auto-answers a call to the cardiology number, seeing the hospital number', async () => {
    // baresip 1.0 cannot answer a SHA-256 challenge and gives up instead of using the MD5 one.
    const configDir = await writeSipHospital({
      one: 'sip:one@127.0.0.3:9',
      two: 'sip:two@127.0.0.4:9',
      digestAlgorithms: ['MD5'],
    });
    sb = await startTestSwitchboard({ configDir, env: SIP_ENV });
    const port = sb.sip!.port;
    const dir = mkdtempSync(join(tmpdir(), 'sb-baresip-'));
    mkdirSync(join(dir, 'cfg'));
    toneWav(join(dir, 'tone.wav'));
    const sipPort = await freeUdpPort('127.0.0.5');
    writeFileSync(
      join(dir, 'cfg', 'config'),
      [
        'poll_method poll',
        `sip_listen 127.0.0.5:${sipPort}`,
        `audio_source aufile,${join(dir, 'tone.wav')}`,
        `audio_player aufile,${join(dir, 'heard.wav')}`,
        `audio_alert aufile,${join(dir, 'alert.wav')}`,
        `module_path ${MODULES}`,
        'module g711.so',
        'module aufile.so',
        'module_app account.so',
        'module_app menu.so',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'cfg', 'accounts'),
      `<sip:dr.three@127.0.0.1:${port}>;auth_pass=three-secret;answermode=auto;regint=60\n`,
    );
    let log = '';
    phone = spawn(BARESIP, ['-f', join(dir, 'cfg'), '-t', '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    phone.stdout?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    phone.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    for (let i = 0; i < 50; i++) {
      if ((await sb.store.sip.liveBindings(new Date())).length) break;
      await settle(100);
    }
    expect(
      (await sb.store.sip.liveBindings(new Date())).map((b) => b.aor),
      log,
    ).toEqual(['sip:dr.three@test.hospital']);

    const caller = sipp('caller.xml', [
      `127.0.0.1:${port}`,
      ...['-i', '127.0.0.2', '-p', String(await freeUdpPort('127.0.0.2'))],
      ...['-s', '4200', '-m', '1'],
    ]);
    const result = await caller.done;
    expect(result.code, `${result.output.slice(-2000)}\n${log}`).toBe(0);
    let calls = await sb.store.sip.listCalls({});
    for (let i = 0; i < 30 && calls.length === 0; i++) {
      await settle(100);
      calls = await sb.store.sip.listCalls({});
    }
    expect(calls[0]).toMatchObject({ outcome: 'answered', answeredBy: 'p-three', route: 'cardiology' });
    expect(calls[0].answeredAt).toContain('127.0.0.5');
    // The phone saw the hospital's number, never the caller's.
    expect(log).toContain('Call established: sip:6175550100@');
    expect(log).not.toContain('clerk');
  }, 60_000);
});
