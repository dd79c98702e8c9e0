/**
 * baresip (Debian baresip-core) as a clinician's phone in tests: a config folder of its own, an 8 kHz
 * tone as its microphone (its `ausine` source works only at 48 kHz), auto-answer, and its console output
 * collected for assertions and failure messages.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BARESIP = '/usr/bin/baresip';
export const BARESIP_MODULES = '/usr/lib/baresip/modules';
export const baresipAvailable = existsSync(BARESIP) && existsSync(BARESIP_MODULES);

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

export interface BaresipPhone {
  process: ChildProcess;
  /** Everything the phone printed so far. */
  log(): string;
  kill(): void;
}

/**
 * Starts baresip with one account line (`<sip:user@host:port;transport=…>;auth_pass=…`), listening on
 * `listen` (host:port), with the extra config lines and modules given.
 */
export function startBaresip(options: {
  listen: string;
  account: string;
  config?: string[];
  modules?: string[];
}): BaresipPhone {
  const dir = mkdtempSync(join(tmpdir(), 'sb-baresip-'));
  mkdirSync(join(dir, 'cfg'));
  toneWav(join(dir, 'tone.wav'));
  writeFileSync(
    join(dir, 'cfg', 'config'),
    [
      'poll_method poll',
      `sip_listen ${options.listen}`,
      `audio_source aufile,${join(dir, 'tone.wav')}`,
      `audio_player aufile,${join(dir, 'heard.wav')}`,
      `audio_alert aufile,${join(dir, 'alert.wav')}`,
      `module_path ${BARESIP_MODULES}`,
      ...(options.config ?? []),
      'module g711.so',
      'module aufile.so',
      ...(options.modules ?? []).map((m) => `module ${m}`),
      'module_app account.so',
      'module_app menu.so',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'cfg', 'accounts'), `${options.account}\n`);
  let log = '';
  const child = spawn(BARESIP, ['-f', join(dir, 'cfg'), '-t', '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (d: Buffer) => {
    log = (log + d.toString()).slice(-50_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { process: child, log: () => log, kill: () => child.kill('SIGKILL') };
}
