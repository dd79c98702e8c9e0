/**
 * An export's file made on a thread of its own (src/connectors/exports/file-on-thread.ts): the same bytes
 * as the file made on the export's thread, which a store without a reader for threads (PostgreSQL, a
 * database in memory) still gets; a failing or ending thread fails the file with its reason; a stop ends it;
 * a started sender has its thread ready before its first file, and a thread that cannot get ready leaves the
 * first file to say why.
 */
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  epicOnCallFinder,
  type OnCallFinderOptions,
} from '../../../src/connectors/exports/epic-on-call-finder.ts';
import type { ExportRun } from '../../../src/connectors/exports/export-kind.ts';
import {
  endFileThread,
  fileMadeOnThread,
  prepareFileThread,
} from '../../../src/connectors/exports/file-on-thread.ts';
import type { Store } from '../../../src/store/port.ts';
import type { ScheduleStore, Shift, ShiftReaderForThread } from '../../../src/store/schedule-port.ts';
import { ExportBench, firstSchedule } from './export-hospital.ts';
import { epicOnCallFinderConfig, epicOpTimeConfig } from './layout-configs.ts';
import { module as failingReaders } from './thread-shift-readers.ts';

const at = new Date('2026-11-01T14:00:00Z');

/** Many shifts with notes that need quotes: a file of many 64 KiB chunks, more than the thread makes ahead. */
const manyShifts: Shift[] = Array.from({ length: 9000 }, (_, i) => ({
  id: `m${String(i).padStart(5, '0')}`,
  assignmentId: i % 3 === 0 ? 'cardiology-oncall' : 'hospitalist',
  personId: ['p-ahmed', 'p-baker', 'p-chen', 'ph-cards-fellow'][i % 4],
  start: new Date(Date.parse('2026-10-31T04:00:00Z') + i * 30_000),
  end: new Date(Date.parse('2026-10-31T16:00:00Z') + i * 30_000),
  callOrder: 1 + (i % 7),
  notes: i % 10 === 0 ? `call "${i}", then page` : '',
  published: true,
  source: 'test',
}));

/**
 * The bench's store with its schedules seen through `reader` (undefined: a store without a reader for
 * threads); counts the files read on the export's own thread.
 */
function withReader(bench: ExportBench, reader: () => ShiftReaderForThread | undefined) {
  const real = bench.store;
  const seen = { here: 0 };
  const schedules = new Proxy(real.schedules, {
    get(target, key) {
      if (key === 'shiftReaderForThread') return reader;
      if (key === 'shiftsByStart') {
        return (from: Date, to: Date, options?: { drafts?: boolean }) => {
          seen.here++;
          return target.shiftsByStart(from, to, options);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as ScheduleStore;
  bench.store = new Proxy(real, {
    get: (target, key) => (key === 'schedules' ? schedules : Reflect.get(target, key)),
  }) as Store;
  return { seen, restore: () => (bench.store = real) };
}

let bench: ExportBench;

beforeEach(async () => {
  bench = new ExportBench();
  await bench.seed([...firstSchedule, ...manyShifts], new Date('2026-10-30T12:00:00Z'));
});

afterEach(async () => {
  await bench.close();
});

describe('an export file made on a thread of its own', () => {
  it('is the same, byte for byte, with the same rows and skips, as the file made on the export thread', async () => {
    // Epic On Call Finder's file is more chunks than the thread makes ahead; OpTime's skips a person.
    for (const [yaml, file, chunks] of [
      [epicOnCallFinderConfig, 'epic_on_call_20261101_090000.csv', 12],
      [epicOpTimeConfig, 'epic_optime_20261101_0900.csv', 3],
    ] as const) {
      const settings = bench.settings(yaml);
      const ownReader = bench.store.schedules.shiftReaderForThread?.();
      expect(ownReader).toBeDefined();
      const threaded = withReader(bench, () => ownReader);
      const onThread = await bench.run(settings, at);
      threaded.restore();
      expect(threaded.seen.here).toBe(0);
      const threadBytes = bench.read(file);

      const inProcess = withReader(bench, () => undefined);
      const here = await bench.run(settings, at);
      inProcess.restore();
      expect(inProcess.seen.here).toBe(1);
      const hereBytes = bench.read(file);

      expect(threadBytes.length).toBeGreaterThan(chunks * 64 * 1024);
      expect(threadBytes.equals(hereBytes)).toBe(true);
      expect(onThread).toBe(here);
    }
  });

  it('fails the file with the reason when the thread throws, or ends before the file is complete', async () => {
    const settings = bench.settings(epicOnCallFinderConfig);
    for (const [source, reason] of [
      ['throws', /the thread making the file failed: the database file went away/],
      ['exits', /the thread making the file ended \(exit code 7\) before the file was complete/],
    ] as const) {
      const failing = withReader(bench, () => ({ module: failingReaders, source }));
      const sent = bench.run(settings, at);
      await expect(sent).rejects.toThrow(reason);
      await expect(sent).rejects.toMatchObject({ permanent: false });
      failing.restore();
      // Nothing half-written is left under the file's name or its .part.
      expect(readdirSync(bench.out)).toEqual([]);
    }
    // The next file gets a thread of its own again.
    expect(await bench.run(settings, at)).toMatch(/full file, 9004 rows/);
  });

  it('ends the thread when the export stops', async () => {
    const settings = bench.settings(epicOnCallFinderConfig);
    const { sender } = bench.parts(settings);
    const run = (
      sender as unknown as { runOf(s: unknown, skips: Map<string, string>): ExportRun<OnCallFinderOptions> }
    ).runOf(settings, new Map());
    const stop = new AbortController();
    const span = epicOnCallFinder.span(run);
    const layout = epicOnCallFinder.defaultLayout('America/New_York');
    const chunks = fileMadeOnThread(
      'epic-on-call-finder',
      run,
      span,
      layout,
      { module: failingReaders, source: 'endless' },
      { rows: 0 },
      stop.signal,
    );
    expect((await chunks.next()).value.length).toBeGreaterThan(0);
    stop.abort();
    await expect(async () => {
      for (;;) if ((await chunks.next()).done) break;
    }).rejects.toThrow(/the thread making the file was stopped/);
  });

  it('is started with its sender, ready for the first file, and ended when the sender closes', async () => {
    await endFileThread();
    const settings = bench.settings(epicOnCallFinderConfig);
    const { sender } = bench.parts(settings);
    await sender.start?.();
    expect(await bench.run(settings, at)).toMatch(/full file, 9004 rows/);
    await sender.close?.();
    // A stopped sender's kept thread is gone; a file after it starts one of its own.
    expect(await bench.run(settings, at)).toMatch(/full file, 9004 rows/);
  });

  it('leaves a thread that cannot get ready to the first file, which fails with the reason', async () => {
    await endFileThread();
    const nowhere = { module: new URL('./no-such-reader.mjs', import.meta.url).href, source: 'x' };
    await expect(prepareFileThread(nowhere)).resolves.toBeUndefined();
    const settings = bench.settings(epicOnCallFinderConfig);
    const missing = withReader(bench, () => nowhere);
    await expect(bench.run(settings, at)).rejects.toThrow(
      /the thread making the file failed: .*no-such-reader\.mjs/,
    );
    missing.restore();
    expect(await bench.run(settings, at)).toMatch(/full file, 9004 rows/);
  });
});
