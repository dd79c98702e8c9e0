/**
 * `npm run bench -- chaos`: kill -9 at random moments under load, and count what the hospital would lose.
 * Each cycle starts Switchboard in a child process on the same data folder, floods it with HL7 over 8
 * connections (one result in `--critical-every` is a critical value that raises an alert with a
 * seconds-level escalation step), and kills it with SIGKILL at a random moment. After the last cycle a
 * final process takes up what was left, and the data folder is read directly:
 * - messages: ACKed (AA) by some process, lost (ACKed, not stored), doubled (stored or routed twice);
 * - escalations: each critical alert's second step fired once, twice, never, and how late — counted from
 *   its due time, or from the restart when it fell due while no process was running.
 * The baseline of the same run is the clean cycle: the same flood ended by SIGTERM instead of a kill.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { MllpClient } from '../src/delivery/mllp/client.ts';
import { writeBehaviourHospital } from '../test/support/hospital.ts';
import { formatMs, formatTable, formatTargets } from './lib/table.ts';

export const about =
  'kill -9 under an HL7 flood with open escalations: messages lost or doubled, escalations late, twice or never';

export const usage = `  --cycles N          kill/restart cycles (default 100)
  --connections N     MLLP connections flooding at once (default 8)
  --critical-every N  one critical result (an alert with escalation) per N messages (default 20)
  --step-seconds N    delay of the escalation's second step (default 3)
  --min-ms/--max-ms   the kill comes at a random moment in this window after the flood starts (300/2500)
  --seed N            random seed, to repeat a run (default: the time)`;

const childScript = new URL('../test/support/child-switchboard.ts', import.meta.url).pathname;

interface Life {
  startedAt: number;
  endedAt: number;
}

/** xorshift32: a seeded sequence, so a failing run can be repeated with --seed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function message(controlId: string, critical: boolean, n: number): string {
  // A patient of its own per message: alert de-duplication must not merge two critical results.
  const mrn = `CH${controlId.replace(/[^A-Z0-9]/gi, '')}`;
  const value = critical ? `2.${n % 10}` : '4.1';
  const flag = critical ? 'LL' : 'N';
  return [
    `MSH|^~\\&|LAB|RGH|SB|RGH|20261122143000||ORU^R01|${controlId}|P|2.5.1`,
    `PID|1||${mrn}^^^RGH^MR||CHAOS^PATIENT${n}`,
    'PV1|1|I|4W^401^A^RGH',
    `OBX|1|NM|2823-3^Potassium^LN||${value}|mmol/L|3.5-5.1|${flag}|||F`,
    '',
  ].join('\r');
}

function startChild(configDir: string, dataDir: string): Promise<{ child: ChildProcess; mllp: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(childScript, [configDir, dataDir], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    child.once('message', (m: { mllp: number }) => resolve({ child, mllp: m.mllp }));
    child.once('exit', (code) => reject(new Error(`Switchboard exited before it listened (${code})`)));
  });
}

/** Floods until `stop` says so or the connection dies; every AA is recorded by control id. */
async function flood(
  port: number,
  prefix: string,
  criticalEvery: number,
  acked: Set<string>,
  critical: Set<string>,
  stop: () => boolean,
): Promise<void> {
  const client = new MllpClient({ host: '127.0.0.1', port });
  try {
    await client.connect();
    for (let n = 1; !stop(); n++) {
      const id = `${prefix}-${n}`;
      const isCritical = n % criticalEvery === 0;
      const ack = await client.send(message(id, isCritical, n));
      if (ack.includes('MSA|AA|')) {
        acked.add(id);
        if (isCritical) critical.add(id);
      }
    }
  } catch {
    // The process was killed under us: what was ACKed before is what counts.
  } finally {
    await client.close().catch(() => {});
  }
}

async function cycle(
  label: string,
  configDir: string,
  dataDir: string,
  options: { connections: number; criticalEvery: number; killAfterMs: number; clean: boolean },
  acked: Set<string>,
  critical: Set<string>,
  lives: Life[],
): Promise<void> {
  const { child, mllp } = await startChild(configDir, dataDir);
  const life: Life = { startedAt: Date.now(), endedAt: Number.POSITIVE_INFINITY };
  lives.push(life);
  let stopped = false;
  const floods = Array.from({ length: options.connections }, (_, c) =>
    flood(mllp, `${label}-${c}`, options.criticalEvery, acked, critical, () => stopped),
  );
  await new Promise((r) => setTimeout(r, options.killAfterMs));
  const exited = new Promise((r) => child.once('exit', r));
  if (options.clean) {
    stopped = true;
    await Promise.all(floods);
    child.kill('SIGTERM');
  } else {
    child.kill('SIGKILL');
  }
  await exited;
  life.endedAt = Date.now();
  stopped = true;
  await Promise.all(floods);
}

/** When an escalation due at `due` could fire at the earliest: then, or at the next start if no process ran. */
function earliestFiring(due: number, lives: Life[]): number {
  for (const life of lives) {
    if (due < life.startedAt) return life.startedAt;
    if (due <= life.endedAt) return due;
  }
  return due;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cycles: { type: 'string', default: '100' },
      connections: { type: 'string', default: '8' },
      'critical-every': { type: 'string', default: '20' },
      'step-seconds': { type: 'string', default: '3' },
      'min-ms': { type: 'string', default: '300' },
      'max-ms': { type: 'string', default: '2500' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    },
  });
  const cycles = Number(values.cycles);
  const connections = Number(values.connections);
  const criticalEvery = Number(values['critical-every']);
  const stepSeconds = Number(values['step-seconds']);
  const minMs = Number(values['min-ms']);
  const maxMs = Number(values['max-ms']);
  const next = random(Number(values.seed));

  const now = Date.now();
  const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}+00:00`;
  const window = `start: '${utc(now - 3_600_000)}', end: '${utc(now + 48 * 3_600_000)}'`;
  const configDir = await writeBehaviourHospital({
    shifts: `    - { assignment: hospitalist, person: p-one, ${window}, callOrder: 1 }
    - { assignment: hospitalist, person: p-two, ${window}, callOrder: 2 }`,
    policy: `  - id: critical
    steps:
      - { delay: 0s, targets: [ { recipients: rule } ] }
      - { delay: ${stepSeconds}s, targets: [ { onCall: hospitalist, order: 2 } ] }
    waitAfterLastStepMinutes: 60
    failsafe: { group: operators }`,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-chaos-'));
  const acked = new Set<string>();
  const critical = new Set<string>();
  const lives: Life[] = [];
  console.log(
    `chaos: ${cycles} kill -9 cycles, ${connections} connections, 1 critical in ${criticalEvery}, escalation step after ${stepSeconds} s, seed ${values.seed}`,
  );
  try {
    // Baseline: one clean cycle (SIGTERM), the same flood.
    await cycle(
      'clean',
      configDir,
      dataDir,
      { connections, criticalEvery, killAfterMs: maxMs, clean: true },
      acked,
      critical,
      lives,
    );
    for (let i = 1; i <= cycles; i++) {
      const killAfterMs = Math.round(minMs + next() * (maxMs - minMs));
      await cycle(
        `k${i}`,
        configDir,
        dataDir,
        { connections, criticalEvery, killAfterMs, clean: false },
        acked,
        critical,
        lives,
      );
      if (i % 10 === 0)
        console.log(`  ${i}/${cycles} cycles, ${acked.size.toLocaleString('en-US')} messages ACKed`);
    }
    // The last process takes up the journal and the backlog and fires what fell due; then it stops cleanly.
    const { child } = await startChild(configDir, dataDir);
    const last: Life = { startedAt: Date.now(), endedAt: Number.POSITIVE_INFINITY };
    lives.push(last);
    await waitUntilSettled(dataDir, stepSeconds);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    last.endedAt = Date.now();
    report(dataDir, acked, critical, lives, stepSeconds);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
  }
}

/** Waits until nothing is left to route and every alert's step is past due by a margin. */
async function waitUntilSettled(dataDir: string, stepSeconds: number): Promise<void> {
  const db = new Database(join(dataDir, 'switchboard.db'), { readonly: true, fileMustExist: true });
  try {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const waiting = db.prepare("SELECT count(*) AS n FROM messages WHERE status = 'received'").get() as {
        n: number;
      };
      const timers = db.prepare('SELECT count(*) AS n, max(due_at) AS last FROM escalation_timers').get() as {
        n: number;
        last: number | null;
      };
      // A timer row stays after the last step (it waits for the failsafe an hour later); past steps are done.
      const pendingStep = db
        .prepare('SELECT count(*) AS n FROM escalation_timers WHERE next_step <= 1 AND due_at <= ?')
        .get(Date.now() + stepSeconds * 1000) as { n: number };
      if (waiting.n === 0 && (timers.n === 0 || pendingStep.n === 0)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, stepSeconds * 1000 + 1000));
  } finally {
    db.close();
  }
}

function report(
  dataDir: string,
  acked: Set<string>,
  critical: Set<string>,
  lives: Life[],
  stepSeconds: number,
) {
  const db = new Database(join(dataDir, 'switchboard.db'), { readonly: true, fileMustExist: true });
  try {
    const stored = new Map<string, number>();
    for (const row of db
      .prepare('SELECT control_id AS id, count(*) AS n FROM messages GROUP BY control_id')
      .iterate() as Iterable<{
      id: string;
      n: number;
    }>)
      stored.set(row.id, row.n);
    let lost = 0;
    for (const id of acked) if (!stored.has(id)) lost++;
    const storedTwice = [...stored.values()].filter((n) => n > 1).length;
    const unrouted = (
      db.prepare("SELECT count(*) AS n FROM messages WHERE status = 'received'").get() as { n: number }
    ).n;
    const routedTwice = (
      db
        .prepare(
          'SELECT count(*) AS n FROM (SELECT message_id FROM alerts GROUP BY message_id HAVING count(*) > 1)',
        )
        .get() as { n: number }
    ).n;

    const alerts = db
      .prepare(
        `SELECT a.id, a.created_at AS created, m.control_id AS controlId,
                (SELECT group_concat(e.at) FROM alert_events e WHERE e.alert_id = a.id AND e.kind = 'escalated') AS escalations
         FROM alerts a JOIN messages m ON m.id = a.message_id`,
      )
      .all() as Array<{ id: number; created: number; controlId: string; escalations: string | null }>;
    const alerted = new Set(alerts.map((a) => a.controlId));
    let criticalWithoutAlert = 0;
    for (const id of critical) if (!alerted.has(id)) criticalWithoutAlert++;
    let twice = 0;
    let never = 0;
    const lateness: number[] = [];
    for (const a of alerts) {
      const fired = a.escalations ? a.escalations.split(',').map(Number) : [];
      if (fired.length === 0) never++;
      if (fired.length > 1) twice++;
      if (fired.length > 0) {
        const due = a.created + stepSeconds * 1000;
        lateness.push(Math.max(0, Math.min(...fired) - earliestFiring(due, lives)));
      }
    }
    lateness.sort((x, y) => x - y);
    const late = lateness.filter((ms) => ms > 1000).length;
    const killed = lives.length - 2;
    console.log(`\n${killed} processes killed with SIGKILL, 1 stopped with SIGTERM (baseline), 1 final\n`);
    console.log(
      formatTable(
        [{ title: 'messages' }, { title: 'count', align: 'right' }],
        [
          ['ACKed (AA)', acked.size],
          ['stored', stored.size],
          ['lost (ACKed, not stored)', lost],
          ['stored twice', storedTwice],
          ['routed twice (two alerts from one message)', routedTwice],
          ['still waiting to be routed at the end', unrouted],
          ['critical ACKed without an alert', criticalWithoutAlert],
        ],
      ),
    );
    console.log();
    console.log(
      formatTable(
        [{ title: 'escalations (second step)' }, { title: 'count', align: 'right' }],
        [
          ['alerts', alerts.length],
          ['fired once', alerts.length - twice - never],
          ['fired twice', twice],
          ['never fired', never],
          ['late (> 1 s after it could fire)', late],
          ['lateness p50', `${formatMs(percentile(lateness, 50))} ms`],
          ['lateness p99', `${formatMs(percentile(lateness, 99))} ms`],
          ['lateness max', `${formatMs(lateness[lateness.length - 1] ?? Number.NaN)} ms`],
        ],
      ),
    );
    console.log('\ntargets:');
    console.log(
      formatTargets([
        { label: 'ACKed messages lost', measured: lost, threshold: 0, direction: 'at-most', unit: '' },
        {
          label: 'messages doubled',
          measured: storedTwice + routedTwice,
          threshold: 0,
          direction: 'at-most',
          unit: '',
        },
        {
          label: 'escalations never fired (incl. critical results without an alert)',
          measured: never + criticalWithoutAlert,
          threshold: 0,
          direction: 'at-most',
          unit: '',
        },
        { label: 'escalations fired twice', measured: twice, threshold: 0, direction: 'at-most', unit: '' },
      ]),
    );
  } finally {
    db.close();
  }
}
