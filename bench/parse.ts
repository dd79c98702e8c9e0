/**
 * HL7 parse + census read time against message size, for the three shapes a hostile or careless sender
 * can grow a message in: many repetitions of one field (PID-3), many components in one repetition, and
 * many segments (ROL). Each size is timed with the default routing.limits and with none, next to a
 * baseline over the very same bytes: a plain pass that finds every segment and field, the least any
 * parser must do. Work that grows linearly with the message keeps the time per KB flat: the ratio of
 * time per KB at the largest size to time per KB at 1 KB should stay at or under 2.
 */
import { parseArgs } from 'node:util';
import { adtToCensusChange } from '../src/census/adt-change.ts';
import { DEFAULT_HL7_LIMITS, type Hl7Limits, Hl7Message } from '../src/protocols/hl7/index.ts';
import { type Cell, formatMs, formatTable, formatTargets } from './lib/table.ts';

export const about =
  'HL7 parse + census read time per KB from 1 KB to 1 MiB (repetitions, components, segments), vs a plain segment and field scan';
export const usage = `  --sizes 1,4,16,64,256,1024   message sizes in KB
  --shapes repetitions,components,segments
  --min-ms 200                  time spent timing each cell (more runs give steadier figures)`;

const NO_LIMITS: Hl7Limits = { maxRepetitions: Infinity, maxComponents: Infinity, maxSegments: Infinity };

type Shape = 'repetitions' | 'components' | 'segments';

const HEADER = 'MSH|^~\\&|EHR|RGH|SB|RGH|20261122143000||ADT^A08|BENCH1|P|2.5.1\rEVN|A08|20261122143000\r';

/** Repeats `unit` (numbered by i) until the text reaches `bytes`. */
function grow(bytes: number, unit: (i: number) => string, separator: string): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const part = unit(i);
    parts.push(part);
    size += part.length + separator.length;
  }
  return parts.join(separator);
}

/** An ADT^A08 of about `bytes` bytes, grown in one shape. */
function adt(shape: Shape, bytes: number): string {
  const room = Math.max(bytes - HEADER.length - 120, 32);
  switch (shape) {
    case 'repetitions':
      return `${HEADER}PID|1||${grow(room, (i) => `${100000 + i}^^^RGH^MR`, '~')}||DOE^JANE||19700101|F\rPV1|1|I|4W^401^A\r`;
    case 'components':
      return `${HEADER}PID|1||${grow(room, (i) => (i === 0 ? '100000' : i === 4 ? 'MR' : `C${i}`), '^')}||DOE^JANE||19700101|F\rPV1|1|I|4W^401^A\r`;
    case 'segments':
      return `${HEADER}PID|1||100000^^^RGH^MR||DOE^JANE||19700101|F\rPV1|1|I|4W^401^A\r${grow(room, (i) => `ROL|${i}|AD|AT^Attending|${1000 + i}^DOE^JOHN`, '\r')}\r`;
  }
}

/** Median time of one call of `fn`, run for at least `minMs` (and at least 3 times). */
function time(fn: () => unknown, minMs: number): number {
  const runs: number[] = [];
  const until = performance.now() + minMs;
  while (runs.length < 3 || performance.now() < until) {
    const t0 = performance.now();
    fn();
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)];
}

function parseAndRead(text: string, limits: Hl7Limits): void {
  adtToCensusChange(Hl7Message.parse(text, { limits }), { zone: 'America/New_York' });
}

/**
 * The least any parser does: find every segment and every field, nothing more. A scan with indexOf
 * rather than split('\r') and split('|'), whose results V8 caches for a string split again (the
 * baseline would then measure a cache).
 */
function plainSplit(text: string): number {
  let fields = 0;
  for (let from = 0; from < text.length; ) {
    let end = text.indexOf('\r', from);
    if (end === -1) end = text.length;
    for (let at = text.indexOf('|', from); at !== -1 && at < end; at = text.indexOf('|', at + 1)) fields += 1;
    fields += 1;
    from = end + 1;
  }
  return fields;
}

interface Cellset {
  kb: number;
  limited: number;
  unlimited: number;
  baseline: number;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '1,4,16,64,256,1024' },
      shapes: { type: 'string', default: 'repetitions,components,segments' },
      'min-ms': { type: 'string', default: '200' },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const shapes = values.shapes.split(',') as Shape[];
  const minMs = Number(values['min-ms']);
  const targets = [];
  console.log(
    `limits: ${DEFAULT_HL7_LIMITS.maxRepetitions} repetitions, ${DEFAULT_HL7_LIMITS.maxComponents} components, ${DEFAULT_HL7_LIMITS.maxSegments} segments (routing.limits defaults)\n`,
  );
  for (const shape of shapes) {
    const cells: Cellset[] = [];
    for (const kb of sizes) {
      const text = adt(shape, kb * 1024);
      cells.push({
        kb: text.length / 1024,
        limited: time(() => parseAndRead(text, DEFAULT_HL7_LIMITS), minMs),
        unlimited: time(() => parseAndRead(text, NO_LIMITS), minMs),
        baseline: time(() => plainSplit(text), minMs),
      });
    }
    const perKb = (c: Cellset, k: keyof Omit<Cellset, 'kb'>) => c[k] / c.kb;
    const rows: Cell[][] = cells.map((c) => [
      c.kb.toFixed(1),
      formatMs(c.limited),
      (perKb(c, 'limited') * 1000).toFixed(1),
      formatMs(c.unlimited),
      (perKb(c, 'unlimited') * 1000).toFixed(1),
      formatMs(c.baseline),
      (perKb(c, 'baseline') * 1000).toFixed(1),
    ]);
    console.log(`${shape}:`);
    console.log(
      formatTable(
        [
          { title: 'KB', align: 'right' },
          { title: 'limits ms', align: 'right' },
          { title: 'µs/KB', align: 'right' },
          { title: 'no limits ms', align: 'right' },
          { title: 'µs/KB', align: 'right' },
          { title: 'scan ms', align: 'right' },
          { title: 'µs/KB', align: 'right' },
        ],
        rows,
      ),
    );
    const first = cells[0];
    const last = cells[cells.length - 1];
    const ratio = (k: keyof Omit<Cellset, 'kb'>) => perKb(last, k) / perKb(first, k);
    console.log(
      `time per KB at ${last.kb.toFixed(0)} KB vs ${first.kb.toFixed(0)} KB: limits ${ratio('limited').toFixed(2)}x, no limits ${ratio('unlimited').toFixed(2)}x, scan baseline ${ratio('baseline').toFixed(2)}x\n`,
    );
    targets.push({
      label: `${shape}: time per KB, largest vs smallest, with limits`,
      measured: ratio('limited'),
      threshold: 2,
      direction: 'at-most' as const,
      unit: 'x',
      format: (v: number) => v.toFixed(2),
    });
    targets.push({
      label: `${shape}: time per KB, largest vs smallest, without limits`,
      measured: ratio('unlimited'),
      threshold: 2,
      direction: 'at-most' as const,
      unit: 'x',
      format: (v: number) => v.toFixed(2),
    });
  }
  console.log(formatTargets(targets));
}
