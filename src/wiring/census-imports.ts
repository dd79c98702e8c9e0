/**
 * Census and nurse assignments from outside the ADT feed, called from main.ts: `censusImports:` in
 * switchboard.yaml lists sources of three kinds, each read on its cadence (30 minutes by default):
 * - `census-csv`: a census export dropped in a folder or on an SFTP server, applied as a whole
 *   (src/census/flat-files.ts), then moved to processed/ (or rejected/ with the reasons);
 * - `staff-csv`: a staff assignment export, dropped the same way;
 * - `staff-rest`: a nurse call system's assignment export pulled over HTTP as JSON (Rauland-style).
 * Staff assignments replace what that source said before and are added to the coverage from
 * config/coverage.yaml, so "the nurse covering the bed" follows the nurse call system. They are kept in
 * the store, so every instance of a cluster covers beds alike and a restart keeps the last good roster.
 */
import type { Logger } from 'pino';
import type { StaffCoverage } from '../census/coverage-plan.ts';
import {
  applyCensusFile,
  type CensusColumns,
  type CensusImportStatus,
  defaultCensusColumns,
  defaultStaffColumns,
  readCensusFile,
  readStaffRecords,
  type StaffColumns,
  staffRecordsOfCsv,
  staffRecordsOfJson,
} from '../census/flat-files.ts';
import { asideName } from '../schedules/sources/drop-folder.ts';
import {
  type DropLocation,
  oldestSettledFile,
  openDropFolder,
  rejectFile,
} from '../schedules/sources/drop-location.ts';
import type { CensusStore } from '../store/census-port.ts';
import type { DutyRoster } from './duty-roster.ts';

/** How often an instance looks for staff assignments another instance imported. */
const SHARED_LOOK_MS = 10_000;

export interface CensusImportConfig {
  id: string;
  kind: 'census-csv' | 'staff-csv' | 'staff-rest';
  everyMinutes: number;
  folder?: string;
  sftp?: DropLocation['sftp'];
  files: string;
  settleSeconds: number;
  url?: string;
  /** Bearer token for a staff-rest pull (a secret: ${ENV}). */
  token?: string;
  /** Which crosswalk id the staff column holds ('id' for our own person ids). */
  staffId: string;
  columns: Partial<CensusColumns & StaffColumns>;
  dischargeAfterMissing: number;
}

export type { CensusImportStatus };

export function startCensusImports(options: {
  imports: readonly CensusImportConfig[];
  census: CensusStore;
  configDir: string;
  /** Directory people a staff id names through the crosswalk kind. */
  findPeople: (kind: string, value: string) => string[];
  /** Called with every imported staff entry whenever one source's entries change. */
  onStaff: (entries: StaffCoverage[]) => void;
  now: () => Date;
  log: Logger;
  /** How often to look for staff assignments another instance imported (default SHARED_LOOK_MS). */
  sharedLookMs?: number;
  /**
   * The instance's roster of cluster duties: a census-csv import is one (`census-import:<id>`), so a
   * cluster applies each file from one instance. Absent, this instance runs every import.
   */
  duties?: DutyRoster;
}): { status(): CensusImportStatus[]; runNow(id: string): Promise<void>; stop(): void } {
  const staffBySource = new Map<string, StaffCoverage[]>();
  const status = new Map<string, CensusImportStatus>();
  const timers: NodeJS.Timeout[] = [];
  const running = new Map<string, Promise<void>>();

  const publishStaff = () => options.onStaff([...staffBySource.values()].flat());

  // What each staff import last brought is in the store: the instance on its duty writes it there, and
  // every instance reads it back when it changes, so a cluster covers beds alike and a restart starts
  // with the last good roster.
  const staffIds = new Set(options.imports.filter((i) => i.kind !== 'census-csv').map((i) => i.id));
  /** The revision of each source's entries in hand: an older read never replaces them. */
  const revisions = new Map<string, number>();
  let seenStamp: string | undefined;
  const takeShared = async () => {
    const stamp = await options.census.staffCoverageStamp();
    if (stamp === seenStamp) return;
    let changed = false;
    for (const row of await options.census.staffCoverage()) {
      if (!staffIds.has(row.source) || row.revision <= (revisions.get(row.source) ?? 0)) continue;
      staffBySource.set(row.source, row.entries as StaffCoverage[]);
      revisions.set(row.source, row.revision);
      const s = status.get(row.source);
      if (s) s.lastSuccess = row.updatedAt.toISOString();
      changed = true;
    }
    seenStamp = stamp;
    if (changed) publishStaff();
  };
  const lookShared = () =>
    takeShared().catch((err: unknown) =>
      options.log.warn({ err }, 'could not read the staff assignments the other instances imported'),
    );

  const once = async (imp: CensusImportConfig) => {
    const s = status.get(imp.id)!;
    const now = options.now();
    s.lastRun = now.toISOString();
    try {
      if (imp.kind === 'staff-rest') await pullStaff(imp, s);
      else await takeFile(imp, s, now);
      s.lastError = null;
    } catch (err) {
      s.lastError = (err as Error).message;
      options.log.warn(
        { source: imp.id, error: s.lastError },
        'census import failed; what it last applied stays',
      );
    }
  };

  const staffFrom = async (
    imp: CensusImportConfig,
    records: ReturnType<typeof staffRecordsOfCsv>,
    s: CensusImportStatus,
    origin: string,
  ) => {
    if (records.problems.length)
      throw new Error(records.problems.map((p) => `line ${p.line} ${p.key}: ${p.message}`).join('; '));
    const columns = {
      ...defaultStaffColumns,
      ...pick(imp.columns, Object.keys(defaultStaffColumns)),
    } as StaffColumns;
    const read = readStaffRecords(records.records, columns, origin, (id) =>
      options.findPeople(imp.staffId, id),
    );
    if (read.problems.length)
      throw new Error(read.problems.map((p) => `line ${p.line} ${p.key}: ${p.message}`).join('; '));
    const at = options.now();
    const revision = await options.census.saveStaffCoverage(imp.id, read.entries, at);
    staffBySource.set(imp.id, read.entries);
    revisions.set(imp.id, revision);
    publishStaff();
    s.unmatched = read.unmatched;
    s.lastCounts = { entries: read.entries.length, unmatched: read.unmatched.length };
    s.lastSuccess = at.toISOString();
    if (read.unmatched.length)
      options.log.warn(
        { source: imp.id, unmatched: read.unmatched.map((u) => ({ line: u.line, reason: u.reason })) },
        'staff assignments that name nobody (or two people) were left out',
      );
  };

  const pullStaff = async (imp: CensusImportConfig, s: CensusImportStatus) => {
    const res = await fetch(imp.url!, {
      headers: { accept: 'application/json', ...(imp.token ? { authorization: `Bearer ${imp.token}` } : {}) },
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) throw new Error(`${new URL(imp.url!).host} answered HTTP ${res.status}`);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new Error('the export is not JSON');
    }
    await staffFrom(imp, staffRecordsOfJson(body), s, `${imp.id} (${new URL(imp.url!).host})`);
  };

  const takeFile = async (imp: CensusImportConfig, s: CensusImportStatus, now: Date) => {
    const location: DropLocation = {
      ...(imp.folder ? { folder: imp.folder } : {}),
      ...(imp.sftp ? { sftp: imp.sftp } : {}),
      files: imp.files,
      settleSeconds: imp.settleSeconds,
    };
    const folder = openDropFolder(location, options.configDir);
    try {
      // Whether a file has settled is a matter of the file system's clock, not the routing clock.
      const file = await oldestSettledFile(folder, location, Date.now());
      if (!file) return;
      const text = (await folder.read(file.name)).toString('utf8');
      try {
        if (imp.kind === 'staff-csv')
          await staffFrom(imp, staffRecordsOfCsv(text), s, `${imp.id}: ${file.name}`);
        else await applyCensus(imp, s, text, now);
      } catch (err) {
        await rejectFile(folder, file.name, now, [(err as Error).message]);
        throw new Error(`${file.name} was rejected: ${(err as Error).message}`);
      }
      await folder.moveAside(file.name, 'processed', asideName(file.name, now));
    } finally {
      await folder.close();
    }
  };

  const applyCensus = async (imp: CensusImportConfig, s: CensusImportStatus, text: string, now: Date) => {
    const columns = {
      ...defaultCensusColumns,
      ...pick(imp.columns, Object.keys(defaultCensusColumns)),
    } as CensusColumns;
    const read = readCensusFile(text, columns);
    if (read.problems.length)
      throw new Error(read.problems.map((p) => `line ${p.line} ${p.key}: ${p.message}`).join('; '));
    // What the import holds is in the store, so the next file discharges by absence alike after a
    // restart, or on whichever instance holds the import's duty then.
    const source = `file:${imp.id}`;
    const held = await options.census.fileCensus(source);
    const applied = await applyCensusFile(options.census, read.rows, {
      source,
      now,
      dischargeAfterMissing: imp.dischargeAfterMissing,
      ours: new Set(held.keys()),
      missedBefore: held,
    });
    await options.census.saveFileCensus(
      source,
      new Map([...applied.ours].map((mrn) => [mrn, applied.missed.get(mrn) ?? 0])),
      now,
    );
    s.lastCounts = {
      patients: read.rows.length,
      admittedOrMoved: applied.admittedOrMoved,
      discharged: applied.discharged,
      missing: applied.missing.length,
    };
    s.lastSuccess = now.toISOString();
    options.log.info({ source: imp.id, ...s.lastCounts }, 'census file applied');
  };

  const run = (imp: CensusImportConfig): Promise<void> => {
    const busy = running.get(imp.id);
    if (busy) return busy;
    const p = once(imp).finally(() => running.delete(imp.id));
    running.set(imp.id, p);
    return p;
  };

  for (const imp of options.imports) {
    status.set(imp.id, {
      id: imp.id,
      kind: imp.kind,
      lastRun: null,
      lastSuccess: null,
      lastError: null,
      lastCounts: {},
      unmatched: [],
    });
    // One instance of a cluster takes each import; the others read what a staff import brought back
    // from the store (takeShared).
    if (options.duties) {
      const duty = imp.kind === 'census-csv' ? `census-import:${imp.id}` : `staff-import:${imp.id}`;
      options.duties.every(duty, imp.everyMinutes * 60_000, () => run(imp));
      continue;
    }
    void run(imp);
    const timer = setInterval(() => void run(imp), imp.everyMinutes * 60_000);
    timer.unref();
    timers.push(timer);
  }

  if (staffIds.size > 0) {
    void lookShared();
    const look = setInterval(() => void lookShared(), options.sharedLookMs ?? SHARED_LOOK_MS);
    look.unref();
    timers.push(look);
  }

  return {
    status: () => [...status.values()],
    async runNow(id) {
      const imp = options.imports.find((i) => i.id === id);
      if (!imp) throw new Error(`no census import ${id}`);
      await run(imp);
    },
    stop() {
      for (const t of timers) clearInterval(t);
    },
  };
}

function pick<T extends object>(source: T, keys: string[]): Partial<T> {
  return Object.fromEntries(Object.entries(source).filter(([k]) => keys.includes(k))) as Partial<T>;
}
