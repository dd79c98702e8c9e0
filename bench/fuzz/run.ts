/**
 * npm run fuzz [-- <parser>...] [--inputs N] [--seed S]
 *
 * Runs each parser (hl7, mllp, wctp, sip, mime, rules) on N generated and mutated inputs (default one
 * million), one parser at a time, and prints per parser: inputs, accepted/refused, crashes (exceptions of a
 * type the parser does not promise, or broken promises), hangs (an input over 100 ms twice in a row),
 * the slowest input (and how many were slow once but not on the retry), and the heap after a full GC at
 * the start and end (growth = a leak). Every failing input is saved under test/fixtures/fuzz/<parser>/;
 * exit code 1 if any parser failed.
 * Run with --expose-gc (npm run fuzz does) for honest heap figures.
 */
import { parseArgs } from 'node:util';
import { seededRandom } from '../../test/support/seeded-random.ts';
import { saveFailure } from './failures.ts';
import type { FuzzTarget } from './target.ts';
import { TARGETS } from './targets/index.ts';

const HANG_MS = 100;
/** Inputs kept per parser and run: the first of each distinct failure, enough to fix and replay. */
const KEEP_AT_MOST = 20;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { inputs: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '20261207' } },
});
const inputs = Number(values.inputs);
const seed = Number(values.seed);
const chosen = positionals.length ? TARGETS.filter((t) => positionals.includes(t.name)) : TARGETS;
const unknown = positionals.filter((name) => !TARGETS.some((t) => t.name === name));
if (unknown.length || !Number.isInteger(inputs) || inputs <= 0) {
  console.error(
    `usage: npm run fuzz [-- ${TARGETS.map((t) => t.name).join('|')}...] [--inputs N] [--seed S]`,
  );
  process.exit(2);
}

const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

interface Report {
  parser: string;
  inputs: number;
  accepted: number;
  refused: number;
  crashes: number;
  hangs: number;
  slowestMs: number;
  /** Over HANG_MS once, within it on the retry: a pause of the process, not of the parser. */
  slowOnce: number;
  heapStartMb: number;
  heapEndMb: number;
  heapPeakMb: number;
  seconds: number;
  kept: string[];
}

/** Runs one input; the error thrown (if any) and how long it took. */
async function once(target: FuzzTarget, input: Buffer) {
  const start = performance.now();
  try {
    const outcome = await target.check(input);
    return { outcome, ms: performance.now() - start };
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
}

function signature(error: unknown): string {
  if (!(error instanceof Error)) return `non-Error ${typeof error}`;
  const frame = error.stack?.split('\n').find((line) => line.includes(' at ')) ?? '';
  return `${error.name}: ${error.message.slice(0, 80)} ${frame.trim()}`;
}

async function fuzz(target: FuzzTarget): Promise<Report> {
  const next = seededRandom(seed ^ [...target.name].reduce((h, c) => h * 31 + c.charCodeAt(0), 7));
  const report: Report = {
    parser: target.name,
    inputs,
    accepted: 0,
    refused: 0,
    crashes: 0,
    hangs: 0,
    slowestMs: 0,
    slowOnce: 0,
    heapStartMb: heapMb(),
    heapEndMb: 0,
    heapPeakMb: 0,
    seconds: 0,
    kept: [],
  };
  const seen = new Set<string>();
  const started = performance.now();
  const sampleEvery = Math.max(1, Math.floor(inputs / 20));
  for (let i = 0; i < inputs; i++) {
    const input = target.input(i, next);
    let result = await once(target, input);
    // One slow input can be a GC pause or another process's turn: a hang is slow twice running.
    if (result.ms > HANG_MS) {
      const again = await once(target, input);
      if (again.ms <= HANG_MS) {
        report.slowOnce++;
        result = again;
      } else {
        report.hangs++;
        if (!seen.has('hang') && report.kept.length < KEEP_AT_MOST) {
          seen.add('hang');
          report.kept.push(saveFailure(target.name, 'hang', input));
          console.log(`  ${target.name} #${i}: hang, ${again.ms.toFixed(0)} ms`);
        }
      }
    }
    report.slowestMs = Math.max(report.slowestMs, result.ms);
    if ('error' in result) {
      report.crashes++;
      const sig = signature(result.error);
      if (!seen.has(sig) && report.kept.length < KEEP_AT_MOST) {
        seen.add(sig);
        const file = saveFailure(target.name, 'crash', input);
        report.kept.push(file);
        console.log(`  ${target.name} #${i}: ${sig}\n    kept as ${file}`);
      }
    } else report[result.outcome]++;
    if (i % sampleEvery === 0)
      report.heapPeakMb = Math.max(report.heapPeakMb, process.memoryUsage().heapUsed / 2 ** 20);
  }
  report.seconds = (performance.now() - started) / 1000;
  report.heapEndMb = heapMb();
  return report;
}

console.log(
  `fuzz: ${inputs.toLocaleString('en')} inputs per parser, seed ${seed}, heap figures ${gc ? 'after a full GC' : 'without GC (run with --expose-gc)'}`,
);
let failed = false;
const rows: string[] = [];
for (const target of chosen) {
  const r = await fuzz(target);
  failed ||= r.crashes > 0 || r.hangs > 0;
  const row = [
    r.parser.padEnd(6),
    r.inputs.toLocaleString('en').padStart(10),
    r.accepted.toLocaleString('en').padStart(10),
    r.refused.toLocaleString('en').padStart(10),
    String(r.crashes).padStart(8),
    String(r.hangs).padStart(6),
    r.slowestMs.toFixed(1).padStart(11),
    String(r.slowOnce).padStart(10),
    `${r.heapStartMb.toFixed(1)} → ${r.heapEndMb.toFixed(1)} (${(r.heapEndMb - r.heapStartMb >= 0 ? '+' : '') + (r.heapEndMb - r.heapStartMb).toFixed(1)}), peak ${r.heapPeakMb.toFixed(0)}`.padStart(
      32,
    ),
    r.seconds.toFixed(0).padStart(6),
  ].join(' ');
  rows.push(row);
  console.log(row);
}
console.log(
  `\n${['parser', '    inputs', '  accepted', '   refused', ' crashes', ' hangs', 'slowest ms', 'slow once', '            heap MB (growth), peak', '     s'].join(' ')}`,
);
for (const row of rows) console.log(row);
process.exit(failed ? 1 : 0);
