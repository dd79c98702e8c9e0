/**
 * Does password checking starve the store's durable writes? While 16 wrong passwords are checked at once
 * (a guessing burst), a writer appends 1 KiB and calls fdatasync on libuv's pool (as the store's WalSync
 * does), back to back, and records each write's latency. Three ways, interleaved round by round so noise
 * falls on all alike:
 *   A — no password checks: the write latency floor of this disk;
 *   B — scrypt on libuv's pool (node:crypto's asynchronous scrypt, how passwords were checked before);
 *   Switchboard — scrypt on its own thread (src/kit/passwords.ts).
 */
import { scrypt } from 'node:crypto';
import { closeSync, fdatasync, mkdtempSync, openSync, rmSync, write } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PasswordHasher } from '../src/kit/passwords.ts';
import { LatencySamples } from './lib/latency.ts';
import { formatMs, formatRate, formatTable } from './lib/table.ts';

export const about =
  "durable-write latency during 16 parallel password checks: libuv's pool vs our own thread";
export const usage = `  --rounds N      rounds per way (default 5)
  --parallel N    password checks started at once per round (default 16)`;

type Way = 'A — no checks' | "B — scrypt on libuv's pool" | 'Switchboard — own thread';
const WAYS: Way[] = ['A — no checks', "B — scrypt on libuv's pool", 'Switchboard — own thread'];

function libuvVerify(password: string, stored: string): Promise<boolean> {
  const [, n, salt] = stored.split('$');
  return new Promise((resolve, reject) =>
    scrypt(
      password,
      Buffer.from(salt!, 'base64url'),
      32,
      { N: Number(n), r: 8, p: 1, maxmem: 64 << 20 },
      (e) => (e ? reject(e) : resolve(false)),
    ),
  );
}

const append = (fd: number, block: Buffer) =>
  new Promise<void>((resolve, reject) =>
    write(fd, block, (e) => (e ? reject(e) : fdatasync(fd, (e2) => (e2 ? reject(e2) : resolve())))),
  );

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { rounds: { type: 'string', default: '5' }, parallel: { type: 'string', default: '16' } },
  });
  const rounds = Number(values.rounds);
  const parallel = Number(values.parallel);
  const hasher = new PasswordHasher({ threads: 1, maxWaiting: parallel });
  const stored = await hasher.hash('the right one');
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-sign-in-'));
  const fd = openSync(join(dir, 'wal'), 'w');
  const block = Buffer.alloc(1024, 7);
  const samples = new Map(WAYS.map((w) => [w, new LatencySamples(4096)]));
  const checkTime = new Map(WAYS.map((w) => [w, 0]));
  console.log(`${rounds} rounds × ${WAYS.length} ways; ${parallel} wrong passwords at once per round\n`);
  try {
    for (let r = 0; r < rounds; r++) {
      for (const way of WAYS) {
        const started = performance.now();
        const checks =
          way === 'A — no checks'
            ? new Promise((resolve) => setTimeout(resolve, 500))
            : Promise.all(
                Array.from({ length: parallel }, (_, i) =>
                  way === 'Switchboard — own thread'
                    ? hasher.verify(`guess-${i}`, stored)
                    : libuvVerify(`guess-${i}`, stored),
                ),
              );
        let done = false;
        void checks.then(() => {
          done = true;
        });
        const lat = samples.get(way)!;
        while (!done) {
          const t = performance.now();
          await append(fd, block);
          lat.add(performance.now() - t);
        }
        checkTime.set(way, checkTime.get(way)! + (performance.now() - started));
      }
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    await hasher.close();
  }
  const floor = samples.get('A — no checks')!.summary();
  const floorRate = (floor.count * 1000) / checkTime.get('A — no checks')!;
  const rows = WAYS.map((way) => {
    const s = samples.get(way)!.summary();
    const seconds = checkTime.get(way)! / 1000;
    const checksPerSecond = way === 'A — no checks' ? '-' : formatRate((rounds * parallel) / seconds);
    return [
      way,
      formatRate(s.count / seconds),
      ((s.count / seconds / floorRate) * 100).toFixed(0),
      formatMs(s.p50Ms),
      formatMs(s.p99Ms),
      formatMs(s.maxMs),
      checksPerSecond,
    ];
  });
  console.log(
    formatTable(
      [
        { title: 'way' },
        { title: 'writes/s', align: 'right' },
        { title: '% of A', align: 'right' },
        { title: 'p50 ms', align: 'right' },
        { title: 'p99 ms', align: 'right' },
        { title: 'max ms', align: 'right' },
        { title: 'checks/s', align: 'right' },
      ],
      rows,
    ),
  );
}
