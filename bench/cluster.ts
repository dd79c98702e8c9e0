/**
 * `npm run bench -- cluster`: HL7 ingest into 1, 2 and 3 Switchboard instances sharing one PostgreSQL
 * database, next to the single SQLite node in the same run. The load generator spreads its connections
 * over the instances round-robin, as a load balancer in front of them would.
 *
 * Figures per cell: ACKed msgs/s, ACK p50/p99, routed msgs/s (until the last instance has routed its
 * backlog), Switchboard CPU per message (all instances' own CPU), machine CPU per message (every
 * process, PostgreSQL included, and anyone else's work on a shared machine), and for PostgreSQL the
 * server's transactions (reads included) and WAL flushes per message: group commit shows as flushes
 * below one per message, since one flush carries every commit waiting for it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { type ChildServer, launchServer } from './lib/child-server.ts';
import { type EscalationRunResult, escalationRun } from './lib/escalation-run.ts';
import { formatMs, formatRate, formatTable, formatTargets } from './lib/table.ts';
import { runLoad } from './mllp/load.ts';
import { admissionTemplate, labResultTemplate } from './mllp/messages.ts';

const here = dirname(fileURLToPath(import.meta.url));

export const about =
  'HL7 ingest on 1-3 instances sharing PostgreSQL, next to the single SQLite node: msgs/s, p99, CPU per message';

export const usage = `  --messages N        messages per cell (default 20000)
  --connections N     stop-and-wait connections in all, spread over the instances (default 12)
  --instances LIST    PostgreSQL cells (default 1,2,3)
  --timers N          pending escalation timers for the lateness part, 0 to skip (default 10000)
  --no-ingest         the lateness part alone
  --profile DIR       write a V8 CPU profile of each instance into DIR (bench/README.md, "Reading a profile")
  --database URL      PostgreSQL (default SWITCHBOARD_TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)`;

interface Cell {
  label: string;
  accepted: number;
  errors: number;
  ackRate: number;
  routedRate: number;
  p50: number;
  p99: number;
  cpuPerMessageUs: number;
  machineCpuPerMessageUs: number;
  /** CPU of this machine's PostgreSQL server processes per message (blank when the server is elsewhere). */
  serverCpuPerMessageUs?: number;
  transactionsPerMessage?: number;
  flushesPerMessage?: number;
  stored?: number;
}

function options(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '20000' },
      connections: { type: 'string', default: '12' },
      instances: { type: 'string', default: '1,2,3' },
      timers: { type: 'string', default: '10000' },
      'no-ingest': { type: 'boolean', default: false },
      profile: { type: 'string' },
      database: {
        type: 'string',
        default: process.env.SWITCHBOARD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      },
    },
  });
  return {
    messages: Number(values.messages),
    connections: Number(values.connections),
    instances: values.instances.split(',').map(Number),
    timers: Number(values.timers),
    ingest: !values['no-ingest'],
    profile: values.profile,
    database: values.database,
  };
}

/** CPU ticks so far of each of this machine's processes named `postgres`, by pid. */
function postgresTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return ticks;
}

/**
 * The CPU this machine's PostgreSQL server spends from now until `stop`, in microseconds (0 when the
 * server is elsewhere). Looked at every 100 ms: a backend's CPU leaves /proc with it when its instance
 * closes its connections, so each counts up to its last look.
 */
function watchPostgresCpu(): { stop(): number } {
  const first = postgresTicks();
  const last = new Map(first);
  const look = () => {
    for (const [pid, t] of postgresTicks()) last.set(pid, t);
  };
  const timer = setInterval(look, 100);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      look();
      let ticks = 0;
      for (const [pid, t] of last) ticks += t - (first.get(pid) ?? 0);
      return (ticks * 1_000_000) / 100;
    },
  };
}

/** CPU time of the whole machine so far, in microseconds (every core, from /proc/stat). */
function machineCpuUs(): number {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const ticks = cpu.split(/\s+/).slice(1, 9).map(Number);
  const busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7];
  return (busy * 1_000_000) / 100;
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Transactions committed in the database and WAL flushes of the server so far. */
async function serverCounters(url: string): Promise<{ transactions: number; flushes: number }> {
  const [row] = await sql<{ t: string; f: string }>(
    url,
    `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())::text AS t,
            (SELECT wal_sync FROM pg_stat_wal)::text AS f`,
  );
  return { transactions: Number(row.t), flushes: Number(row.f) };
}

async function runCell(
  label: string,
  instances: number,
  opts: ReturnType<typeof options>,
  store: 'sqlite' | 'postgres',
  runTag: string,
): Promise<Cell> {
  const schema = `sb_bench_${runTag.toLowerCase()}_${instances}`;
  if (store === 'postgres') await sql(opts.database, `CREATE SCHEMA ${schema}`);
  const dirs: string[] = [];
  const children: ChildServer[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-cluster-'));
      dirs.push(dataDir);
      const file =
        store === 'sqlite' ? join(here, 'mllp/servers/switchboard.ts') : join(here, 'cluster/instance.ts');
      const env =
        store === 'sqlite'
          ? process.env
          : {
              ...process.env,
              SWITCHBOARD_STORE_DRIVER: 'postgres',
              SWITCHBOARD_STORE_URL: opts.database,
              SWITCHBOARD_STORE_SCHEMA: schema,
            };
      // One at a time: the first applies the migrations, the others find them applied.
      const execArgv = opts.profile ? ['--cpu-prof', '--cpu-prof-dir', opts.profile] : [];
      children.push(
        await launchServer(file, ['--data-dir', dataDir], { env, stopTimeoutMs: 30 * 60_000, execArgv }),
      );
    }
    const before = store === 'postgres' ? await serverCounters(opts.database) : undefined;
    const cpuBefore = machineCpuUs();
    const server = watchPostgresCpu();
    for (const c of children) c.mark();
    const started = performance.now();
    const perInstance = Math.floor(opts.messages / instances);
    const results = await Promise.all(
      children.map((c, i) =>
        runLoad({
          host: '127.0.0.1',
          port: c.port,
          messages: perInstance,
          connections: Math.max(1, Math.round(opts.connections / instances)),
          templates: [
            admissionTemplate({ controlIdPrefix: `${runTag}${instances}${i}` }),
            labResultTemplate({ controlIdPrefix: `${runTag}${instances}${i}` }),
          ],
        }),
      ),
    );
    const ackedMs = Math.max(...results.map((r) => r.elapsedMs));
    const reports = await Promise.all(children.map((c) => c.stop()));
    const routedMs = performance.now() - started;
    const machineUs = machineCpuUs() - cpuBefore;
    const serverUs = server.stop();
    const accepted = results.reduce((n, r) => n + r.accepted, 0);
    const errors = results.reduce((n, r) => n + r.errors, 0);
    const ownCpuMs = reports.reduce((n, r) => n + r.userCpuMs + r.systemCpuMs + r.stopCpuMs, 0);
    const worst = results.map((r) => r.latencies.summary());
    const cell: Cell = {
      label,
      accepted,
      errors,
      ackRate: (accepted / ackedMs) * 1000,
      routedRate: (accepted / routedMs) * 1000,
      p50: Math.max(...worst.map((w) => w.p50Ms)),
      p99: Math.max(...worst.map((w) => w.p99Ms)),
      cpuPerMessageUs: (ownCpuMs * 1000) / accepted,
      machineCpuPerMessageUs: machineUs / accepted,
    };
    if (before) {
      const after = await serverCounters(opts.database);
      cell.transactionsPerMessage = (after.transactions - before.transactions) / accepted;
      cell.flushesPerMessage = (after.flushes - before.flushes) / accepted;
      if (serverUs > 0) cell.serverCpuPerMessageUs = serverUs / accepted;
      const [row] = await sql<{ n: string }>(
        opts.database,
        `SELECT count(DISTINCT (sending_application, control_id))::text AS n FROM ${schema}.messages`,
      );
      cell.stored = Number(row.n);
    }
    return cell;
  } finally {
    for (const c of children) c.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (store === 'postgres') await sql(opts.database, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}

export async function run(argv: string[]): Promise<void> {
  const opts = options(argv);
  const runTag = `C${Date.now().toString(36).toUpperCase().slice(-5)}`;
  if (opts.ingest) await ingestPart(opts, runTag);
  if (opts.timers > 0) await timerPart(opts, runTag);
}

async function ingestPart(opts: ReturnType<typeof options>, runTag: string): Promise<void> {
  console.log(
    `HL7 ingest: ${opts.messages.toLocaleString('en-US')} messages per cell over ${opts.connections} stop-and-wait connections`,
  );
  const cells: Cell[] = [];
  cells.push(await runCell('SQLite, 1 node', 1, opts, 'sqlite', runTag));
  for (const n of opts.instances)
    cells.push(await runCell(`PostgreSQL, ${n} instance${n > 1 ? 's' : ''}`, n, opts, 'postgres', runTag));
  const sqliteRate = cells[0].ackRate;
  console.log(
    formatTable(
      [
        { title: 'cell' },
        { title: 'ACKed/s', align: 'right' },
        { title: 'x SQLite', align: 'right' },
        { title: 'routed/s', align: 'right' },
        { title: 'p50 ms', align: 'right' },
        { title: 'p99 ms', align: 'right' },
        { title: 'own CPU µs/msg', align: 'right' },
        { title: 'machine CPU µs/msg', align: 'right' },
        { title: 'PostgreSQL CPU µs/msg', align: 'right' },
        { title: 'xacts/msg', align: 'right' },
        { title: 'flushes/msg', align: 'right' },
        { title: 'errors', align: 'right' },
      ],
      cells.map((c) => [
        c.label,
        formatRate(c.ackRate),
        (c.ackRate / sqliteRate).toFixed(2),
        formatRate(c.routedRate),
        formatMs(c.p50),
        formatMs(c.p99),
        Math.round(c.cpuPerMessageUs),
        Math.round(c.machineCpuPerMessageUs),
        c.serverCpuPerMessageUs === undefined ? '' : Math.round(c.serverCpuPerMessageUs),
        c.transactionsPerMessage === undefined ? '' : c.transactionsPerMessage.toFixed(2),
        c.flushesPerMessage === undefined ? '' : c.flushesPerMessage.toFixed(2),
        c.errors + (c.stored !== undefined && c.stored !== c.accepted ? Math.abs(c.accepted - c.stored) : 0),
      ]),
    ),
  );
  console.log(
    '\nmachine CPU counts every process (PostgreSQL included) and anyone else on a shared machine; compare ratios, not absolutes.',
  );
  const one = cells.find((c) => c.label === 'PostgreSQL, 1 instance');
  if (one?.serverCpuPerMessageUs !== undefined) console.log(ceiling(one, sqliteRate));
}

/**
 * What the cores allow one PostgreSQL instance at most, from its own and the server's CPU per message in
 * this run: the 0.8x target needs the two together under the budget the cores give at 0.8x the SQLite rate.
 */
function ceiling(cell: Cell, sqliteRate: number): string {
  const cores = availableParallelism();
  const budgetUs = (cores * 1_000_000) / (0.8 * sqliteRate);
  const spentUs = cell.cpuPerMessageUs + (cell.serverCpuPerMessageUs ?? 0);
  const most = (cores * 1_000_000) / spentUs;
  return (
    `PostgreSQL, 1 instance: own ${Math.round(cell.cpuPerMessageUs)} + server ${Math.round(cell.serverCpuPerMessageUs ?? 0)} = ` +
    `${Math.round(spentUs)} µs/msg; ${cores} cores at 0.8x SQLite allow ${Math.round(budgetUs)} µs/msg for everything, ` +
    `so at most ${formatRate(most)} msgs/s (${(most / sqliteRate).toFixed(2)}x SQLite) with the cores doing nothing else`
  );
}

interface TimerCell {
  label: string;
  result: EscalationRunResult;
}

/**
 * Escalation lateness: N steps due over 10 s, run by the real engine and routing cycle (lib/escalation-run.ts)
 * of one SQLite store, then of 3 instances on one PostgreSQL (three stores in this process, each with its
 * own engine, cycle and claims).
 */
async function timerPart(opts: ReturnType<typeof options>, runTag: string): Promise<void> {
  const shape = { count: opts.timers, windowMs: 10_000, pollMs: 1_000 };
  const cells: TimerCell[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-timers-'));
  const sqlite = openSqliteStore(dir);
  try {
    cells.push({ label: 'SQLite, 1 node', result: await escalationRun([sqlite], shape) });
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const schema = `sb_bench_${runTag.toLowerCase()}_timers`;
  await sql(opts.database, `CREATE SCHEMA ${schema}`);
  const stores: Awaited<ReturnType<typeof openPostgresStore>>[] = [];
  try {
    for (let i = 0; i < 3; i++) stores.push(await openPostgresStore(opts.database, { schema }));
    cells.push({
      label: 'PostgreSQL, 3 instances',
      result: await escalationRun(stores, { ...shape, watch: watchPostgresCpu }),
    });
  } finally {
    for (const s of stores) await s.close();
    await sql(opts.database, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
  console.log(
    `\nescalation steps: ${opts.timers.toLocaleString('en-US')} due over 10 s, run by each instance's engine and routing cycle`,
  );
  console.log(
    formatTable(
      [
        { title: 'cell' },
        { title: 'notified', align: 'right' },
        { title: 'twice', align: 'right' },
        { title: 'never', align: 'right' },
        { title: 'late p50 ms', align: 'right' },
        { title: 'late p99 ms', align: 'right' },
        { title: 'late max ms', align: 'right' },
        { title: 'own CPU µs/step', align: 'right' },
        { title: 'PostgreSQL CPU µs/step', align: 'right' },
      ],
      cells.map(({ label, result }) => {
        const s = result.late.summary();
        const perStep = (us: number | undefined) => (us ? Math.round(us / Math.max(1, s.count)) : '');
        return [
          label,
          s.count,
          result.twice,
          result.never,
          formatMs(s.p50Ms),
          formatMs(s.p99Ms),
          formatMs(s.maxMs),
          perStep(result.cpuUs),
          perStep(result.watchedUs),
        ];
      }),
    ),
  );
  const cluster = cells[1].result;
  console.log(
    formatTargets([
      {
        label: 'PostgreSQL, 3 instances: lateness p99 <= 100 ms',
        measured: cluster.late.summary().p99Ms,
        threshold: 100,
        direction: 'at-most',
        unit: 'ms',
        format: formatMs,
      },
      {
        label: 'PostgreSQL, 3 instances: steps run twice or never = 0',
        measured: cluster.twice + cluster.never,
        threshold: 0,
        direction: 'at-most',
        unit: 'steps',
        format: String,
      },
    ]),
  );
}
