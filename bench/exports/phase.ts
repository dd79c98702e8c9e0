/**
 * One phase of bench/exports.ts in a process of its own, so its peak memory (maxRSS) is its own:
 *   seed <dataDir> <shifts>                 writes the schedule into a SQLite store
 *   export <dataDir> <shifts> <server.json> the Epic On Call Finder export of the whole schedule over SFTP
 *                                           as a server makes it: the sender started (its file thread
 *                                           ready), the file, then the same file again in the same process
 *   export <dataDir> <shifts> <server.json> cold
 *                                           the same with the sender not started: the first file starts
 *                                           its thread
 *   export <dataDir> <shifts> <folder>      the same into a local folder (no upload: the export's own cost,
 *                                           e.g. under node --cpu-prof)
 *   put <file> <server.json>                the bare ssh2-sftp-client put of a finished file
 *   fastput <file> <server.json>            the same with fastPut (many writes in flight)
 *   read <dataDir> <shifts>                 the export's read of the schedule alone (no file made, no upload)
 *   format <shifts>                         the export's file made from shifts held in memory, the chunks
 *                                           dropped (no database, no upload)
 *   made <dataDir> <shifts>                 the export's file made on its thread as the export makes it
 *                                           (thread started, read, formatted, chunks moved here and
 *                                           dropped): no upload
 *   floor                                   nothing: the process with its loader and these modules
 *   floor <dataDir>                         the same with the store open, as an idle server holds it (its
 *                                           SQLite connection and checkpoint thread), then closed
 * Each prints one JSON line on its IPC channel: { ms, cpuMs, maxRssMb, bytes }.
 */
import { readFileSync, statSync } from 'node:fs';
import pino from 'pino';
import SftpClient from 'ssh2-sftp-client';
import type { ConnectorSettings, KindContext } from '../../src/connectors/connector.ts';
import {
  epicOnCallFinder,
  type OnCallFinderOptions,
} from '../../src/connectors/exports/epic-on-call-finder.ts';
import type { ExportRun } from '../../src/connectors/exports/export-kind.ts';
import type { FileExportDeps } from '../../src/connectors/exports/file-connector.ts';
import { fileMadeOnThread } from '../../src/connectors/exports/file-on-thread.ts';
import { boundFileExportKinds } from '../../src/connectors/exports/kinds.ts';
import { CompiledLayout, mergeLayout } from '../../src/connectors/files/layout.ts';
import { loadConnectors } from '../../src/connectors/settings.ts';
import { Directory } from '../../src/directory/directory.ts';
import type { Person } from '../../src/directory/types.ts';
import { YamlFile } from '../../src/kit/yaml-files.ts';
import type { ConnectorStore } from '../../src/store/connector-port.ts';
import type { ExportStateStore } from '../../src/store/export-port.ts';
import type { Assignment, ScheduleStore, Shift } from '../../src/store/schedule-port.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

export interface ServerInfo {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  hostKey: string;
  folder: string;
}

const ZONE = 'America/New_York';
const START = Date.parse('2026-11-02T05:00:00Z'); // local midnight, Monday
const DAYS = 14;
const PEOPLE = 2000;
const ASSIGNMENTS = 400;

const assignments: Assignment[] = Array.from({ length: ASSIGNMENTS }, (_, i) => ({
  id: `a${i}`,
  name: `Assignment ${i}, "team ${i % 40}"`,
  type: 'oncall',
  department: `Dept ${i % 20}`,
}));

/** By id, as the wiring looks assignments up (wiring/connectors.ts): a scan of 400 per row cost 70 ms. */
const assignmentById = new Map(assignments.map((a) => [a.id, a]));

const people: Person[] = Array.from({ length: PEOPLE }, (_, i) => ({
  id: `p${i}`,
  name: `Doctor ${i}, MD`,
  placeholder: false,
  ids: { uniqueId: `U${100000 + i}` },
  contacts: [],
}));

/** `count` shifts spread evenly over 14 days: per assignment and day, 12-hour shifts at rising call orders. */
function schedule(count: number): Shift[] {
  const perDay = Math.ceil(count / DAYS);
  const shifts: Shift[] = [];
  for (let i = 0; i < count; i++) {
    const day = Math.floor(i / perDay);
    const slot = i % perDay;
    const start = START + day * 86_400_000 + (slot % 2) * 43_200_000;
    shifts.push({
      id: `s${i}`,
      assignmentId: `a${slot % ASSIGNMENTS}`,
      personId: `p${(i * 7) % PEOPLE}`,
      start: new Date(start),
      end: new Date(start + 43_200_000),
      callOrder: 1 + (Math.floor(slot / ASSIGNMENTS) % 9),
      notes: i % 10 === 0 ? 'call 5-1234, use "back line"' : '',
      published: true,
      source: 'bench',
    });
  }
  return shifts;
}

/** RSS once the modules are loaded, before the phase's work: what the process costs by itself. */
let startRssMb = 0;
/**
 * The JavaScript side's peak (heap, external and array buffers), sampled every 20 ms: RSS also holds
 * SQLite's page cache (up to 64 MB, store/sqlite/database.ts), which grows with the database read.
 */
let peakJsMb = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakJsMb = Math.max(peakJsMb, (m.heapUsed + m.external) / 1048576);
}, 20);
sampler.unref();
/**
 * The CPU the phase's own process spent (user and system), which a loaded machine stretches far less than
 * wall time: the SSH server's share of the work is not in it.
 */
const cpuSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const done = (m: object) => {
  process.send?.({
    ...m,
    startRssMb,
    peakJsMb: Math.round(peakJsMb),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  });
};

async function seed(dataDir: string, count: number): Promise<void> {
  const store = openSqliteStore(dataDir);
  await store.schedules.upsertAssignments(assignments);
  const t0 = performance.now();
  await store.schedules.replaceShifts('bench', schedule(count));
  await store.durable();
  await store.close();
  done({ ms: performance.now() - t0 });
}

/** The Epic On Call Finder connector of the benchmark, as connectors.yaml would set it up, on `deps`. */
function onCallFinder(deps: FileExportDeps, connectorStore: ConnectorStore, to: ServerInfo | string) {
  const kinds = boundFileExportKinds(deps);
  const target =
    typeof to === 'string'
      ? `target: ${to}`
      : `target: sftp://${to.username}@${to.host}:${to.port}/${to.folder.replace(/^\//, '')}
    credentials: { privateKey: '\${BENCH_SFTP_KEY}' }`;
  const yaml = `
connectors:
  - id: epic-ocf
    kind: epic-on-call-finder
    ${target}
    personId: uniqueId
    window: { daysBack: 0, daysForward: ${DAYS - 1} }
    cadence: every 5 minutes
    include: { notes: true }
    options:${typeof to === 'string' ? '' : `\n      hostKey: '${to.hostKey}'`}
      assignmentFields:
${assignments.map((a, i) => `        ${a.id}: { teamId: '${1000 + i}', role: Attending, notePrefix: 'Operator:' }`).join('\n')}
`;
  const loaded = loadConnectors(new YamlFile('connectors.yaml', yaml), {
    kinds: new Map(kinds.map((k) => [k.kind, k])),
    env: { BENCH_SFTP_KEY: typeof to === 'string' ? '' : to.privateKey },
    knownAssignment: () => true,
  });
  if (loaded.problems.length) throw new Error(JSON.stringify(loaded.problems));
  const settings: ConnectorSettings = loaded.value[0];
  const directory = new Directory(people);
  const now = new Date(START + 3_600_000);
  const ctx: KindContext = {
    store: connectorStore,
    planning: {
      directory: () => directory,
      assignment: (id) => assignmentById.get(id),
      zone: ZONE,
      now: () => now,
    },
    connectors: [settings],
    fetch,
    log: pino({ level: 'silent' }),
  };
  const kind = kinds.find((k) => k.kind === 'epic-on-call-finder')!;
  const sender = kind.sender(ctx)!;
  /** The run the sender would make (file-connector.ts), for the phases that take the export apart. */
  const run = () =>
    (
      sender as unknown as {
        runOf(s: ConnectorSettings, skips: Map<string, string>): ExportRun<OnCallFinderOptions>;
      }
    ).runOf(settings, new Map());
  return { kind, settings, ctx, sender, now, run };
}

async function exportFile(dataDir: string, to: ServerInfo | string, cold: boolean): Promise<void> {
  const store = openSqliteStore(dataDir);
  const { kind, settings, ctx, sender, now } = onCallFinder(
    { schedules: store.schedules, exportState: store.exportState },
    store.connectors,
    to,
  );
  const plan = await kind.create(settings as never, ctx).planWindow([], { from: now, to: now }, ctx.planning);
  const job = plan.jobs[0];
  const send = () =>
    sender.send({
      ...job,
      id: 1,
      alertId: null,
      state: 'pending',
      attempts: 0,
      lastError: null,
      result: null,
      dueAt: now,
      createdAt: now,
      updatedAt: now,
    });
  // A server starts its senders with the connectors, minutes before the first file is due.
  const s0 = performance.now();
  const startCpu = process.cpuUsage();
  if (!cold) await sender.start?.();
  const startMs = performance.now() - s0;
  const startCpuMs = cpuSince(startCpu);
  // What a server ready to send holds: the store open, the connector set up, its sender started.
  const readyRssMb = Math.round(process.memoryUsage().rss / 1048576);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const answer = await send();
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(cpu0);
  // The next file of the same process, as a server's every five minutes: its file thread is kept.
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  await send();
  const againMs = performance.now() - t1;
  const againCpuMs = cpuSince(cpu1);
  await sender.close?.();
  await store.close();
  done({ ms, cpuMs, againMs, againCpuMs, startMs, startCpuMs, readyRssMb, answer });
}

/** The export's read of the window from the store, the shifts dropped as they come. */
async function readOnly(dataDir: string): Promise<void> {
  const store = openSqliteStore(dataDir);
  const { run } = onCallFinder(
    { schedules: store.schedules, exportState: store.exportState },
    store.connectors,
    '/nowhere',
  );
  const span = epicOnCallFinder.span(run());
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let rows = 0;
  for await (const _ of store.schedules.shiftsByStart(span.from, span.to)) rows++;
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(cpu0);
  await store.close();
  done({ ms, cpuMs, answer: `${rows} shifts read` });
}

/**
 * The export's file made on a thread of its own as the sender makes it (file-on-thread.ts), each chunk
 * dropped as it arrives: what the upload waits for at the least, with nothing to upload.
 */
async function madeOnThread(dataDir: string): Promise<void> {
  const store = openSqliteStore(dataDir);
  const { run, settings } = onCallFinder(
    { schedules: store.schedules, exportState: store.exportState },
    store.connectors,
    '/nowhere',
  );
  const exportRun = run();
  const reader = store.schedules.shiftReaderForThread?.();
  if (!reader) throw new Error('the store offers no reader for a thread');
  const options = settings.options as { layout?: Parameters<typeof mergeLayout>[1] };
  const layout = mergeLayout(epicOnCallFinder.defaultLayout(ZONE), options.layout);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let bytes = 0;
  const counter = { rows: 0 };
  const span = epicOnCallFinder.span(exportRun);
  for await (const chunk of fileMadeOnThread(epicOnCallFinder.kind, exportRun, span, layout, reader, counter))
    bytes += chunk.length;
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(cpu0);
  await store.close();
  done({ ms, cpuMs, bytes, answer: `${counter.rows} rows, ${bytes} bytes` });
}

/**
 * The export's file made as the sender makes it (records of the kind, through the layout into chunks), from
 * the schedule in memory in the order the store gives it, the chunks dropped: what the formatting costs
 * with no database and no upload.
 */
async function formatOnly(count: number): Promise<void> {
  const held = schedule(count).sort(
    (x, y) =>
      x.start.getTime() - y.start.getTime() ||
      (x.assignmentId < y.assignmentId ? -1 : x.assignmentId > y.assignmentId ? 1 : 0) ||
      x.callOrder - y.callOrder ||
      (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
  );
  const inMemory = {
    async *shiftsByStart() {
      yield* held;
    },
  } as unknown as ScheduleStore;
  const { run, settings } = onCallFinder(
    { schedules: inMemory, exportState: undefined as unknown as ExportStateStore },
    undefined as unknown as ConnectorStore,
    '/nowhere',
  );
  const exportRun = run();
  const options = settings.options as { layout?: Parameters<typeof mergeLayout>[1] };
  const layout = new CompiledLayout(mergeLayout(epicOnCallFinder.defaultLayout(ZONE), options.layout));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let bytes = 0;
  const records = epicOnCallFinder.records(exportRun, epicOnCallFinder.span(exportRun));
  for await (const chunk of layout.chunksOf(records, (r) => r.record)) bytes += chunk.length;
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(cpu0);
  done({ ms, cpuMs, bytes, answer: `${held.length} shifts, ${bytes} bytes` });
}

/** Nothing, or nothing with the store open (its checkpoint thread given time to start), as a server idles. */
async function idle(dataDir: string | undefined): Promise<void> {
  if (dataDir) {
    const store = openSqliteStore(dataDir);
    await store.schedules.listAssignments();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await store.close();
  }
  done({ ms: 0, cpuMs: 0 });
}

async function barePut(file: string, server: ServerInfo, fast: boolean): Promise<void> {
  const quiet = { error: () => {}, end: () => {}, close: () => {} };
  const client = new SftpClient('bench', quiet);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await client.connect({
    host: server.host,
    port: server.port,
    username: server.username,
    privateKey: server.privateKey,
  });
  if (fast) await client.fastPut(file, `${server.folder}/bare-fastput.csv`);
  else await client.put(file, `${server.folder}/bare-put.csv`);
  await client.end();
  done({ ms: performance.now() - t0, cpuMs: cpuSince(cpu0), bytes: statSync(file).size });
}

const [phase, a, b, c, d] = process.argv.slice(2);
startRssMb = Math.round(process.memoryUsage().rss / 1e6 / 1.048576);
const serverOf = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as ServerInfo;
const work =
  phase === 'seed'
    ? seed(a, Number(b))
    : phase === 'export'
      ? exportFile(a, c.endsWith('.json') ? serverOf(c) : c, d === 'cold')
      : phase === 'put' || phase === 'fastput'
        ? barePut(a, serverOf(b), phase === 'fastput')
        : phase === 'read'
          ? readOnly(a)
          : phase === 'made'
            ? madeOnThread(a)
            : phase === 'format'
              ? formatOnly(Number(a))
              : phase === 'floor'
                ? idle(a)
                : Promise.reject(new Error(`unknown phase ${phase}`));
work.then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
