/**
 * File exports over SFTP: the Epic On Call Finder export of a 100,000-shift schedule (read in pages of
 * 1,000 shifts from a SQLite store, written through the CSV layout, streamed to `name.part` on a real
 * OpenSSH sshd and renamed), next to, in the same run, the bare upload of the same finished file by
 * ssh2-sftp-client `put` and `fastPut` and by OpenSSH's `sftp` command. Targets: export time at most 1.5x the bare put; peak memory at most
 * 100 MB whatever the size, shown by running a quarter of the size too.
 *
 * The export runs as a server sends it: its sender started with the connectors (the file thread started
 * and ready), then the file, then the next; the first file of a sender not started (the thread started by
 * the file) runs in a process of its own too.
 *
 * What bounds the export is measured in the same run: its read of the schedule alone and its formatting
 * alone (the file made from shifts in memory, no database, no upload), each in a process of its own; and
 * what a process costs before it does anything (Node alone; Node with the same loader and modules).
 *
 * Each phase runs in a child process of its own, so its peak memory (maxRSS) is its own. Needs root for
 * the sshd set-up (test/support/sftp); without it the server is ssh2's server mode, which is said.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSftpServer } from '../test/support/sftp/sshd.ts';
import { formatMs, formatTable, formatTargets } from './lib/table.ts';

export const about =
  'file export over SFTP: 100,000 shifts to one Epic On Call Finder CSV, time and peak memory next to a bare put of the same file (ssh2-sftp-client put and fastPut, the sftp command)';
export const usage = `  --shifts 100000      shifts in the schedule (a run at a quarter of it shows memory against size)
  --sizes 25000,400000 the sizes to run instead, smallest first (the targets are judged on the largest)
  --runs 3             exports and puts per size (the median is shown)`;

interface PhaseResult {
  ms: number;
  /** The phase's own CPU (user and system): what a loaded machine stretches least. */
  cpuMs: number;
  maxRssMb: number;
  startRssMb: number;
  peakJsMb: number;
  bytes?: number;
  answer?: string;
  /** The export's second file in the same process (its file thread kept). */
  againMs?: number;
  againCpuMs?: number;
  /** The sender's start before the first file (its file thread started and ready). */
  startMs?: number;
  startCpuMs?: number;
  /** RSS just before the first file: the store open, the connector set up, its sender started. */
  readyRssMb?: number;
}

/** How every phase runs: TypeScript through tsx's loader, as `npm start` runs the server. */
const PHASE_EXEC_ARGV = ['--import', 'tsx'];

/** Peak RSS in MB of a Node process that loads nothing of ours, with `execArgv` (tsx's loader, or none). */
function bareNodeMb(execArgv: string[]): number {
  const out = execFileSync(
    process.execPath,
    [...execArgv, '-e', 'console.log(process.resourceUsage().maxRSS)'],
    { encoding: 'utf8' },
  );
  return Math.round(Number(out.trim()) / 1024);
}

function phase(args: string[]): Promise<PhaseResult> {
  const script = new URL('./exports/phase.ts', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const child = fork(script, args, {
      execArgv: PHASE_EXEC_ARGV,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: PhaseResult | undefined;
    child.on('message', (m: PhaseResult) => {
      result = m;
    });
    child.once('exit', (code) =>
      code === 0 && result ? resolve(result) : reject(new Error(`${args[0]} exited with ${code}`)),
    );
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      shifts: { type: 'string', default: '100000' },
      sizes: { type: 'string' },
      runs: { type: 'string', default: '3' },
    },
  });
  const full = Number(values.shifts);
  const sizes = values.sizes ? values.sizes.split(',').map(Number) : [Math.round(full / 4), full];
  const runs = Number(values.runs);
  const server = await startSftpServer((line) => console.log(line));
  const work = mkdtempSync(join(tmpdir(), 'sb-bench-exports-'));
  const serverFile = join(work, 'server.json');
  writeFileSync(
    serverFile,
    JSON.stringify({
      host: server.host,
      port: server.port,
      username: server.username,
      privateKey: server.privateKey,
      hostKey: server.hostKey,
      folder: server.remoteFolder,
    }),
  );
  const keyFile = join(work, 'client_key');
  writeFileSync(keyFile, server.privateKey, { mode: 0o600 });
  console.log(`file exports over SFTP (${server.kind} on 127.0.0.1:${server.port}), ${runs} runs per size\n`);
  const rows: string[][] = [];
  const floors: PhaseResult[] = [];
  /** The same with the store open, as an idle server holds it: its connection and checkpoint thread. */
  const storeFloors: PhaseResult[] = [];
  const nodeMb = bareNodeMb([]);
  const loaderMb = bareNodeMb(PHASE_EXEC_ARGV);
  const figures: Array<{
    shifts: number;
    exportMs: number;
    exportCpuMs: number;
    againMs: number;
    againCpuMs: number;
    startMs: number;
    startCpuMs: number;
    coldMs: number;
    coldCpuMs: number;
    coldRss: number;
    putMs: number;
    putCpuMs: number;
    fastPutMs: number;
    fastPutCpuMs: number;
    cliMs: number;
    exportRss: number;
    putRss: number;
    exportOwn: number;
    exportAboveReady: number;
    putOwn: number;
    exportJs: number;
    putJs: number;
    readMs: number;
    readCpuMs: number;
    formatMs: number;
    formatCpuMs: number;
    madeMs: number;
    madeCpuMs: number;
    madeRss: number;
  }> = [];
  try {
    for (const shifts of sizes) {
      const dataDir = join(work, `db-${shifts}`);
      const seeded = await phase(['seed', dataDir, String(shifts)]);
      console.log(`seeded ${shifts.toLocaleString('en-US')} shifts in ${formatMs(seeded.ms)}`);
      const exports: PhaseResult[] = [];
      const colds: PhaseResult[] = [];
      const puts: PhaseResult[] = [];
      const fastPuts: PhaseResult[] = [];
      const cli: number[] = [];
      const reads: PhaseResult[] = [];
      const formats: PhaseResult[] = [];
      const made: PhaseResult[] = [];
      for (let r = 0; r < runs; r++) {
        made.push(await phase(['made', dataDir, String(shifts)]));
        reads.push(await phase(['read', dataDir, String(shifts)]));
        formats.push(await phase(['format', String(shifts)]));
        colds.push(await phase(['export', dataDir, String(shifts), serverFile, 'cold']));
        exports.push(await phase(['export', dataDir, String(shifts), serverFile]));
        const name = (await readdir(server.localFolder)).find(
          (f) => f.startsWith('epic_on_call_') && f.endsWith('.csv'),
        )!;
        const file = join(work, `export-${shifts}.csv`);
        execFileSync('cp', [join(server.localFolder, name), file]);
        rmSync(join(server.localFolder, name), { force: true });
        puts.push(await phase(['put', file, serverFile]));
        fastPuts.push(await phase(['fastput', file, serverFile]));
        const t0 = performance.now();
        execFileSync(
          'sftp',
          [
            '-q',
            '-b',
            '-',
            '-i',
            keyFile,
            '-P',
            String(server.port),
            '-o',
            'StrictHostKeyChecking=no',
            '-o',
            'UserKnownHostsFile=/dev/null',
            '-o',
            'LogLevel=ERROR',
            `${server.username}@${server.host}`,
          ],
          {
            input: `put ${file} ${server.remoteFolder}/bare-cli.csv\n`,
          },
        );
        cli.push(performance.now() - t0);
      }
      const bytes = statSync(join(work, `export-${shifts}.csv`)).size;
      const f = {
        shifts,
        exportMs: median(exports.map((e) => e.ms)),
        exportCpuMs: median(exports.map((e) => e.cpuMs)),
        againMs: median(exports.map((e) => e.againMs ?? 0)),
        againCpuMs: median(exports.map((e) => e.againCpuMs ?? 0)),
        startMs: median(exports.map((e) => e.startMs ?? 0)),
        startCpuMs: median(exports.map((e) => e.startCpuMs ?? 0)),
        coldMs: median(colds.map((e) => e.ms)),
        coldCpuMs: median(colds.map((e) => e.cpuMs)),
        coldRss: Math.max(...colds.map((e) => e.maxRssMb)),
        putMs: median(puts.map((p) => p.ms)),
        putCpuMs: median(puts.map((p) => p.cpuMs)),
        fastPutMs: median(fastPuts.map((p) => p.ms)),
        fastPutCpuMs: median(fastPuts.map((p) => p.cpuMs)),
        cliMs: median(cli),
        exportRss: Math.max(...exports.map((e) => e.maxRssMb)),
        exportOwn: Math.max(...exports.map((e) => e.maxRssMb - e.startRssMb)),
        exportAboveReady: Math.max(...exports.map((e) => e.maxRssMb - (e.readyRssMb ?? e.startRssMb))),
        exportJs: Math.max(...exports.map((e) => e.peakJsMb)),
        putRss: Math.max(...puts.map((p) => p.maxRssMb)),
        putOwn: Math.max(...puts.map((p) => p.maxRssMb - p.startRssMb)),
        putJs: Math.max(...puts.map((p) => p.peakJsMb)),
        readMs: median(reads.map((p) => p.ms)),
        readCpuMs: median(reads.map((p) => p.cpuMs)),
        formatMs: median(formats.map((p) => p.ms)),
        formatCpuMs: median(formats.map((p) => p.cpuMs)),
        madeMs: median(made.map((p) => p.ms)),
        madeCpuMs: median(made.map((p) => p.cpuMs)),
        madeRss: Math.max(...made.map((p) => p.maxRssMb)),
      };
      figures.push(f);
      console.log(`  ${exports[0].answer}`);
      rows.push(
        [
          `${shifts.toLocaleString('en-US')} shifts, export (its sender started first)`,
          formatMs(f.exportMs),
          formatMs(f.exportCpuMs),
          `${f.exportRss} MB`,
          `${f.exportOwn} MB`,
          `${f.exportJs} MB`,
          `${(bytes / 1e6).toFixed(1)} MB`,
        ],
        [
          '  the next file, same process (file thread kept)',
          formatMs(f.againMs),
          formatMs(f.againCpuMs),
          '',
          '',
          '',
          '',
        ],
        [
          '  its sender started, before the file (file thread ready)',
          formatMs(f.startMs),
          formatMs(f.startCpuMs),
          '',
          '',
          '',
          '',
        ],
        [
          '  the first file of a sender not started (file thread started by it)',
          formatMs(f.coldMs),
          formatMs(f.coldCpuMs),
          `${f.coldRss} MB`,
          '',
          '',
          '',
        ],
        [
          '  bare put (ssh2-sftp-client)',
          formatMs(f.putMs),
          formatMs(f.putCpuMs),
          `${f.putRss} MB`,
          `${f.putOwn} MB`,
          `${f.putJs} MB`,
          '',
        ],
        [
          '  bare fastPut (ssh2-sftp-client)',
          formatMs(f.fastPutMs),
          formatMs(f.fastPutCpuMs),
          '',
          '',
          '',
          '',
        ],
        ['  bare put (sftp command)', formatMs(f.cliMs), '', '', '', '', ''],
        [
          '  its read alone (no file made, no upload)',
          formatMs(f.readMs),
          formatMs(f.readCpuMs),
          '',
          '',
          '',
          '',
        ],
        [
          '  its file made on its thread alone (no upload)',
          formatMs(f.madeMs),
          formatMs(f.madeCpuMs),
          `${f.madeRss} MB`,
          '',
          '',
          '',
        ],
        [
          '  its formatting alone (no database, no upload)',
          formatMs(f.formatMs),
          formatMs(f.formatCpuMs),
          '',
          '',
          '',
          '',
        ],
      );
    }
    for (let r = 0; r < runs; r++) {
      floors.push(await phase(['floor']));
      storeFloors.push(await phase(['floor', join(work, `db-${sizes[sizes.length - 1]}`)]));
    }
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const floorMb = Math.max(...floors.map((p) => p.maxRssMb));
  const storeFloorMb = Math.max(...storeFloors.map((p) => p.maxRssMb));
  console.log(
    `\n${formatTable(
      [
        { title: 'what' },
        { title: 'time ms (median)', align: 'right' },
        { title: 'own CPU ms', align: 'right' },
        { title: 'peak RSS', align: 'right' },
        { title: 'above its start', align: 'right' },
        { title: 'peak JS heap+ext', align: 'right' },
        { title: 'file', align: 'right' },
      ],
      [
        ...rows,
        [
          'a process of these phases doing nothing (tsx, modules loaded)',
          '',
          '',
          `${floorMb} MB`,
          '',
          '',
          '',
        ],
        ['  the same with the store open (an idle server)', '', '', `${storeFloorMb} MB`, '', '', ''],
        ['Node with tsx, no modules of ours', '', '', `${loaderMb} MB`, '', '', ''],
        ['Node alone (no loader, no modules)', '', '', `${nodeMb} MB`, '', '', ''],
      ],
    )}`,
  );
  const big = figures[figures.length - 1];
  const bound = big.readCpuMs + big.formatCpuMs;
  console.log(
    `\nwhat bounds it at ${big.shifts.toLocaleString('en-US')} shifts: its read alone and its formatting alone take ${formatMs(bound)} ms of CPU with no upload at all, ${(bound / big.fastPutMs).toFixed(2)}x the bare fastPut's time (1.5x is allowed for all of it); made on its thread, as the export makes it, with no upload, the file takes ${formatMs(big.madeMs)} ms (${formatMs(big.madeCpuMs)} ms of CPU), ${(big.madeMs / big.fastPutMs).toFixed(2)}x the bare fastPut's time\n`,
  );
  console.log(
    formatTargets([
      {
        label: 'export time <= 1.5x the bare ssh2-sftp-client put',
        measured: big.exportMs / big.putMs,
        threshold: 1.5,
        direction: 'at-most',
        unit: 'x',
      },
      {
        label: 'export time <= 1.5x the bare ssh2-sftp-client fastPut',
        measured: big.exportMs / big.fastPutMs,
        threshold: 1.5,
        direction: 'at-most',
        unit: 'x',
      },
      {
        label: 'the next file, file thread kept: time <= 1.5x the bare ssh2-sftp-client fastPut',
        measured: big.againMs / big.fastPutMs,
        threshold: 1.5,
        direction: 'at-most',
        unit: 'x',
      },
      {
        label: 'the first file of a sender not started: time <= 1.5x the bare ssh2-sftp-client fastPut',
        measured: big.coldMs / big.fastPutMs,
        threshold: 1.5,
        direction: 'at-most',
        unit: 'x',
      },
      {
        label: 'export time <= 1.5x the bare sftp command put',
        measured: big.exportMs / big.cliMs,
        threshold: 1.5,
        direction: 'at-most',
        unit: 'x',
      },
      {
        label: `export peak RSS <= 100 MB at ${big.shifts.toLocaleString('en-US')} shifts`,
        measured: big.exportRss,
        threshold: 100,
        direction: 'at-most',
        unit: 'MB',
      },
      {
        label: `export peak RSS <= 100 MB at ${figures[0].shifts.toLocaleString('en-US')} shifts`,
        measured: figures[0].exportRss,
        threshold: 100,
        direction: 'at-most',
        unit: 'MB',
      },
      ...figures.map((f) => ({
        label: `export peak RSS above a process doing nothing <= 100 MB at ${f.shifts.toLocaleString('en-US')} shifts`,
        measured: f.exportRss - floorMb,
        threshold: 100,
        direction: 'at-most' as const,
        unit: 'MB',
      })),
      ...figures.map((f) => ({
        label: `export peak RSS above its process ready to send (store open, sender started) <= 100 MB at ${f.shifts.toLocaleString('en-US')} shifts`,
        measured: f.exportAboveReady,
        threshold: 100,
        direction: 'at-most' as const,
        unit: 'MB',
      })),
      ...figures.map((f) => ({
        label: `export peak RSS above a process with the store open <= 100 MB at ${f.shifts.toLocaleString('en-US')} shifts`,
        measured: f.exportRss - storeFloorMb,
        threshold: 100,
        direction: 'at-most' as const,
        unit: 'MB',
      })),
    ]),
  );
}
