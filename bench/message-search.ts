/**
 * Message search as the analyst console runs it (MessageStore.list: a page of 50, newest first, and a
 * count of up to 10,000 matches when the page does not tell it) over generated stored messages in the
 * embedded SQLite store, for the common filters: MRN, control id, sender + type, words of the raw message
 * (a rare phrase and a word in a fifth of the messages), a time range. Baseline in the same run: the bare
 * indexed SELECT of the same page (same columns) straight on the database (no count, no mapping), on a
 * connection of its own. Target: store ≤ 2× the bare query, p99 < 1 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { InboundMessage, MessageQuery } from '../src/store/port.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { summaryColumns } from '../src/store/sqlite/messages.ts';
import { percentile } from './lib/latency.ts';
import { type Cell, formatMs, formatRatio, formatTable } from './lib/table.ts';

export const about =
  'message search (MRN, control id, sender+type, words, time range) over 1,000,000 stored messages, vs the bare indexed SELECT';
export const usage = `  --messages 1000000   stored messages generated first
  --runs 200           searches timed per filter (p50 and p99 over these)
  --keep DIR           generate into DIR and keep it (a second run with the same DIR skips generating)`;

const SENDERS = ['CHEMLAB', 'MICRO', 'RADIS', 'EPICADT', 'PHARM'];
const TYPES: Array<[string, string]> = [
  ['ORU', 'R01'],
  ['ADT', 'A01'],
  ['ADT', 'A08'],
  ['ORM', 'O01'],
  ['ORU', 'R01'],
];
const TESTS = ['Potassium', 'Sodium', 'Glucose', 'Creatinine', 'Hemoglobin'];
/** What the console asks: matches counted up to 10,000 ("more than 10,000" beyond). */
const COUNT_UP_TO = 10_000;
const START = Date.parse('2026-10-01T00:00:00Z');
/** A month of traffic: one message every ~2.6 s at a million. */
const SPAN_MS = 30 * 24 * 3_600_000;

function message(i: number, count: number): InboundMessage {
  const [type, trigger] = TYPES[i % TYPES.length];
  const sender = SENDERS[Math.floor(i / TYPES.length) % SENDERS.length];
  const mrn = `MRN${100000 + ((i * 7919) % 200000)}`;
  const test = TESTS[i % TESTS.length];
  const value = ((i % 90) / 10 + 1).toFixed(1);
  const raw = [
    `MSH|^~\\&|${sender}|RGH|SWITCHBOARD|RGH|20261001000000||${type}^${trigger}|C${i}|P|2.5.1`,
    `PID|1||${mrn}^^^RGH^MR||PATIENT${i % 5000}^TEST||19600101|F`,
    'PV1|1|I|4W^401^A^RGH',
    `OBX|1|NM|${i % TESTS.length}^${test}^LN||${value}|mmol/L|3.5-5.1|${i % 97 === 0 ? 'LL' : 'N'}|||F`,
    // A rare phrase: in one message in 10,000.
    i % 10_000 === 0 ? 'NTE|1||specimen hemolyzed recollect requested' : 'NTE|1||routine',
    '',
  ].join('\r');
  return {
    listener: 'mllp',
    peer: '127.0.0.1:40000',
    sendingApplication: sender,
    sendingFacility: 'RGH',
    receivingApplication: 'SWITCHBOARD',
    receivingFacility: 'RGH',
    messageType: type,
    triggerEvent: trigger,
    controlId: `C${i}`,
    receivedAt: new Date(START + Math.floor((i / count) * SPAN_MS)),
    raw: Buffer.from(raw),
  };
}

interface Case {
  name: string;
  query: MessageQuery;
  /** The bare page query: WHERE clause and its arguments, as the SQLite adapter would write it. */
  where: string;
  args: unknown[];
}

function cases(count: number): Case[] {
  const mid = START + SPAN_MS / 2;
  const i = Math.floor(count / 3);
  const mrn =
    message(i, count)
      .raw.toString()
      .match(/PID\|1\|\|([^^]+)/)?.[1] ?? '';
  return [
    { name: 'MRN', query: { mrn }, where: 'patient_mrn = ?', args: [mrn] },
    { name: 'control id', query: { controlId: `C${i}` }, where: 'control_id = ?', args: [`C${i}`] },
    {
      name: 'sender + type',
      query: { sender: 'MICRO', type: 'ADT^A08' },
      where: '(sending_application = ? OR sending_facility = ?) AND message_type = ? AND trigger_event = ?',
      args: ['MICRO', 'MICRO', 'ADT', 'A08'],
    },
    {
      name: 'words, rare phrase',
      query: { text: 'specimen hemolyzed' },
      where: 'id IN (SELECT rowid FROM message_words WHERE message_words MATCH ?)',
      args: ['"specimen hemolyzed"'],
    },
    {
      name: 'words, 1 in 5',
      query: { text: 'Potassium' },
      where: 'id IN (SELECT rowid FROM message_words WHERE message_words MATCH ?)',
      args: ['"Potassium"'],
    },
    {
      name: 'time range 1 h',
      query: { since: new Date(mid), until: new Date(mid + 3_600_000) },
      where: 'received_at >= ? AND received_at < ?',
      args: [mid, mid + 3_600_000],
    },
  ];
}

async function generate(dir: string, count: number): Promise<void> {
  const store = openSqliteStore(dir);
  const existing = (await store.messages.list({ limit: 1 })).total;
  const t0 = performance.now();
  // saveJournaled: applied at once, flushed with the store's next flush; the same insert (row, MRN, words)
  // an MLLP message takes, without a disk flush per message.
  for (let i = existing; i < count; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 1000); j++)
      batch.push(store.messages.saveJournaled(message(j, count)));
    await Promise.all(batch);
  }
  // durable(), not messages.settled(): the flush settled() waits for runs on an unref'd timer, so a process
  // with nothing else to do exits before it (silently, with the benchmark's promise still pending).
  await store.durable();
  await store.close();
  if (count > existing)
    console.log(
      `generated ${count - existing} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
}

function summary(samples: number[]) {
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '200' },
      keep: { type: 'string' },
    },
  });
  const count = Number(values.messages);
  const runs = Number(values.runs);
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'sb-bench-search-'));
  try {
    await generate(dir, count);
    const store = openSqliteStore(dir);
    const bare = new Database(join(dir, 'switchboard.db'), { readonly: true });
    const rows: Cell[][] = [];
    for (const c of cases(count)) {
      const page = bare.prepare(
        `SELECT ${summaryColumns} FROM messages WHERE ${c.where} ORDER BY received_at DESC, id DESC LIMIT 50`,
      );
      const viaStore: number[] = [];
      const viaSql: number[] = [];
      let total = 0;
      const timeStore = async () => {
        const t = performance.now();
        total = (await store.messages.list({ ...c.query, countUpTo: COUNT_UP_TO, limit: 50 })).total;
        viaStore.push(performance.now() - t);
      };
      const timeBare = () => {
        const t = performance.now();
        page.all(...c.args);
        viaSql.push(performance.now() - t);
      };
      // Interleaved, so a burst of other people's load falls on both, and each goes first every other
      // time, so neither always finds the pages the other just read in the cache.
      for (let r = 0; r < runs; r++) {
        if (r % 2 === 0) {
          await timeStore();
          timeBare();
        } else {
          timeBare();
          await timeStore();
        }
      }
      const s = summary(viaStore);
      const b = summary(viaSql);
      rows.push([
        c.name,
        total,
        formatMs(s.p50),
        formatMs(s.p99),
        formatMs(b.p50),
        formatMs(b.p99),
        formatRatio(s.p50, b.p50),
        formatRatio(s.p99, b.p99),
      ]);
    }
    bare.close();
    await store.close();
    console.log(`\n${count} stored messages, ${runs} searches per filter (page of 50, newest first)\n`);
    console.log(
      formatTable(
        [
          { title: 'filter' },
          { title: 'matches', align: 'right' },
          { title: 'store p50', align: 'right' },
          { title: 'store p99', align: 'right' },
          { title: 'bare p50', align: 'right' },
          { title: 'bare p99', align: 'right' },
          { title: 'p50 ×', align: 'right' },
          { title: 'p99 ×', align: 'right' },
        ],
        rows,
      ),
    );
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}
