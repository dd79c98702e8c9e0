import type { NewDelivery } from '../store/outbox-port.ts';
import type { ScheduleChange, ScheduleStore, Shift, ShiftSyncScope } from '../store/schedule-port.ts';
import type { ScheduleSourceStore, SourceStatusRecord } from '../store/schedule-source-port.ts';
import { GUARD_HORIZON_MS, type MassDeleteVerdict, massDeleteVerdict, sameRemovals } from './guards.ts';
import { type FindPeople, type MappedPull, mapRowsInTurns, type UnmappedSourceRow } from './mapping.ts';
import type { SourceSettings } from './source-config.ts';
import { SourceError, type SourcePull } from './sources/source.ts';

export type SyncStatus = 'applied' | 'held' | 'unchanged' | 'failed' | 'dry-run';

export interface SyncCounts {
  /** Rows the pull carried (shifts plus deletions for a delta). */
  rows: number;
  /** Our shifts the rows became (a row mapped to two assignments is two). */
  shifts: number;
  unmapped: number;
  /** Rows repeating a slot already mapped. */
  repeated: number;
  added: number;
  removed: number;
  changed: number;
}

/** What one sync of one source did (or, for a dry run or a held sync, would do). */
export interface SyncOutcome {
  sourceId: string;
  status: SyncStatus;
  /** The changes applied, or those it would apply (seq 0) for a dry run or a held sync. */
  changes: ScheduleChange[];
  counts: SyncCounts;
  unmapped: UnmappedSourceRow[];
  message: string;
  /** For a held sync: what the mass-delete guard saw. */
  guard?: Omit<MassDeleteVerdict, 'removedIds'>;
  /** From a SourceError's Retry-After, for the runner. */
  retryAfterMs?: number;
}

export interface ApplyOptions {
  dryRun?: boolean;
  /** Recorded on every change. @defaultValue 'sync:<source id>' */
  actor?: string;
}

/** The minimal logger the engine needs (pino's fits). Never handed PHI: ids and counts only. */
export interface SyncLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SyncEngineDeps {
  schedules: ScheduleStore;
  sourceStore: ScheduleSourceStore;
  findPeople: FindPeople;
  now: () => Date;
  log: SyncLog;
  /** Pages telling the incoming and outgoing clinician of a changed shift (notifyAffected). */
  affectedNotices?: (change: ScheduleChange) => NewDelivery[];
  /**
   * Sends the site's administrators a digest of a source's unmapped rows. `onceKey` is the same for every
   * call within one digest interval, so the outbox keeps one per source per interval.
   */
  unmappedDigest?: (sourceId: string, rows: readonly UnmappedSourceRow[], onceKey: string) => Promise<void>;
}

/** What a held sync keeps, to apply it when confirmed. */
interface HeldPayload {
  scope: { kind: 'window'; from: string; to: string } | { kind: 'delta'; deletedKeys: string[] };
  shifts: Array<Omit<Shift, 'start' | 'end'> & { start: string; end: string }>;
  removedIds: string[];
  cursor: string | null;
  origin?: string;
}

/**
 * The sync engine: maps a source's pull to our shifts, runs the guards, and applies it through the
 * schedule store (which writes the change feed in the same transaction). It never makes things worse than
 * the last good schedule: a failed pull changes nothing, an unmappable row is reported and left out, and a
 * sync that would empty the next 48 hours is held until an admin confirms it or the next sync agrees.
 */
export class ScheduleSyncEngine {
  private readonly settings = new Map<string, SourceSettings>();
  private readonly status = new Map<string, SourceStatusRecord>();
  private loaded: Promise<void> | undefined;

  constructor(
    private readonly deps: SyncEngineDeps,
    sources: readonly SourceSettings[],
  ) {
    for (const s of sources) this.settings.set(s.id, s);
  }

  sourceIds(): string[] {
    return [...this.settings.keys()];
  }

  source(id: string): SourceSettings | undefined {
    return this.settings.get(id);
  }

  /** The status of every configured source (a source never synced has empty fields). */
  async statuses(): Promise<SourceStatusRecord[]> {
    await this.load();
    return this.sourceIds().map((id) => this.statusOf(id));
  }

  /** Applies one pull of `sourceId`. Throws only for an unknown source; every other failure is an outcome. */
  async apply(sourceId: string, pull: SourcePull, options: ApplyOptions = {}): Promise<SyncOutcome> {
    const settings = this.settings.get(sourceId);
    if (!settings) throw new Error(`no scheduling source ${sourceId}`);
    await this.load();
    const now = this.deps.now();
    const actor = options.actor ?? `sync:${sourceId}`;
    let mapped: MappedPull;
    try {
      await checkPull(pull);
      mapped = await mapRowsInTurns(
        { sourceId, people: settings.people, assignments: settings.assignments },
        pull.shifts,
        this.deps.findPeople,
      );
    } catch (error) {
      if (!options.dryRun) await this.recordFailure(sourceId, error);
      return this.failed(sourceId, error, pull);
    }
    const scope: ShiftSyncScope =
      pull.mode === 'window'
        ? { kind: 'window', from: pull.from, to: pull.to }
        : { kind: 'delta', deletedKeys: pull.deleted };
    const base = { sourceId, unmapped: mapped.unmapped };
    const counts = (changes: readonly ScheduleChange[]) => countOf(pull, mapped, changes);
    if (options.dryRun) {
      const r = await this.deps.schedules.applySync({
        source: sourceId,
        scope,
        shifts: mapped.shifts,
        actor,
        now,
        dryRun: true,
      });
      return {
        ...base,
        status: 'dry-run',
        changes: r.changes,
        counts: counts(r.changes),
        message: describe('would apply', r.changes, mapped.unmapped),
      };
    }
    const soon = (
      await this.deps.schedules.shiftsOverlapping(now, new Date(now.getTime() + GUARD_HORIZON_MS))
    ).filter((s) => s.source === sourceId);
    const held = await this.deps.sourceStore.held(sourceId);
    let verdict: MassDeleteVerdict | undefined;
    let agreed = false;
    let r: Awaited<ReturnType<ScheduleStore['applySync']>>;
    try {
      r = await this.deps.schedules.applySync({
        source: sourceId,
        scope,
        shifts: mapped.shifts,
        actor,
        now,
        accept: (changes) => {
          verdict = massDeleteVerdict(changes, soon, now, settings.massDeleteShare);
          if (!verdict.hold) return true;
          const heldPull = held?.payload as HeldPayload | undefined;
          // The same file read again is not a second opinion; the same answer from a live system is.
          const again = pull.origin !== undefined && heldPull?.origin === pull.origin;
          agreed = heldPull !== undefined && !again && sameRemovals(heldPull.removedIds, verdict.removedIds);
          return agreed;
        },
        notices:
          settings.notifyAffected && this.deps.affectedNotices
            ? (changes) => changes.flatMap((c) => this.deps.affectedNotices!(c))
            : undefined,
      });
    } catch (error) {
      await this.recordFailure(sourceId, error);
      return this.failed(sourceId, error, pull);
    }
    await this.deps.sourceStore.replaceUnmapped(
      sourceId,
      mapped.unmapped.map((u) => ({ ...u, sourceId, seenAt: now })),
    );
    if (mapped.unmapped.length > 0) await this.sendDigest(settings, mapped.unmapped, now);
    const cursor = pull.mode === 'delta' ? (pull.cursor ?? null) : null;
    if (!r.applied && verdict) {
      const payload: HeldPayload = {
        scope:
          scope.kind === 'window'
            ? { kind: 'window', from: scope.from.toISOString(), to: scope.to.toISOString() }
            : { kind: 'delta', deletedKeys: [...(pull.mode === 'delta' ? pull.deleted : [])] },
        shifts: mapped.shifts.map((s) => ({ ...s, start: s.start.toISOString(), end: s.end.toISOString() })),
        removedIds: verdict.removedIds,
        cursor,
        ...(pull.origin !== undefined ? { origin: pull.origin } : {}),
      };
      const reason = `would remove ${verdict.removes} of the ${verdict.ofTotal} shifts of the next 48 hours (more than ${Math.round(settings.massDeleteShare * 100)} %)`;
      await this.deps.sourceStore.hold({
        sourceId,
        heldAt: now,
        reason,
        removes: verdict.removes,
        ofTotal: verdict.ofTotal,
        payload,
      });
      const message = `held for review: ${reason}; confirm it, or the next sync that agrees applies it`;
      this.deps.log.warn(
        { source: sourceId, removes: verdict.removes, of: verdict.ofTotal },
        'schedule sync held by the mass-delete guard',
      );
      const outcome: SyncOutcome = {
        ...base,
        status: 'held',
        changes: r.changes,
        counts: counts(r.changes),
        message,
        guard: { hold: true, removes: verdict.removes, ofTotal: verdict.ofTotal },
      };
      await this.update(sourceId, { lastAttemptAt: now, lastRun: summary(outcome, now) });
      return outcome;
    }
    if (held) await this.deps.sourceStore.dropHeld(sourceId);
    const status: SyncStatus = r.changes.length > 0 ? 'applied' : 'unchanged';
    const message = agreed
      ? `${describe('applied', r.changes, mapped.unmapped)}; the held sync was confirmed by this one`
      : describe(status === 'applied' ? 'applied' : 'no change;', r.changes, mapped.unmapped);
    const outcome: SyncOutcome = { ...base, status, changes: r.changes, counts: counts(r.changes), message };
    await this.update(sourceId, {
      lastAttemptAt: now,
      lastSuccessAt: now,
      lastError: null,
      failingSince: null,
      staleAlertedAt: null,
      cursor:
        pull.mode === 'delta' ? (cursor ?? this.statusOf(sourceId).cursor) : this.statusOf(sourceId).cursor,
      lastRun: summary(outcome, now),
    });
    if (mapped.unmapped.length > 0) {
      this.deps.log.warn(
        { source: sourceId, unmapped: mapped.unmapped.length, reasons: reasonCounts(mapped.unmapped) },
        'schedule rows not applied: no single person or no assignment',
      );
    }
    this.deps.log.info({ source: sourceId, status, ...outcome.counts }, 'schedule sync');
    return outcome;
  }

  /** Applies the sync held for `sourceId` as it was held; undefined when none is held. */
  async confirmHeld(sourceId: string, actor: string): Promise<SyncOutcome | undefined> {
    await this.load();
    const held = await this.deps.sourceStore.held(sourceId);
    if (!held) return undefined;
    const p = held.payload as HeldPayload;
    const now = this.deps.now();
    const scope: ShiftSyncScope =
      p.scope.kind === 'window'
        ? { kind: 'window', from: new Date(p.scope.from), to: new Date(p.scope.to) }
        : p.scope;
    const shifts: Shift[] = p.shifts.map((s) => ({ ...s, start: new Date(s.start), end: new Date(s.end) }));
    const r = await this.deps.schedules.applySync({ source: sourceId, scope, shifts, actor, now });
    await this.deps.sourceStore.dropHeld(sourceId);
    const empty = { rows: shifts.length, shifts: shifts.length, unmapped: 0, repeated: 0 };
    const outcome: SyncOutcome = {
      sourceId,
      status: 'applied',
      changes: r.changes,
      counts: { ...empty, ...tally(r.changes) },
      unmapped: [],
      message: `${describe('applied', r.changes, [])}; the held sync was confirmed by ${actor}`,
    };
    await this.update(sourceId, {
      lastAttemptAt: now,
      lastSuccessAt: now,
      lastError: null,
      failingSince: null,
      staleAlertedAt: null,
      cursor: p.cursor ?? this.statusOf(sourceId).cursor,
      lastRun: summary(outcome, now),
    });
    this.deps.log.info(
      { source: sourceId, actor, changes: r.changes.length },
      'held schedule sync confirmed',
    );
    return outcome;
  }

  /** Records a failed pull: the source is failing with the reason; its schedule stays as it was. */
  async recordFailure(sourceId: string, error: unknown): Promise<void> {
    await this.load();
    const now = this.deps.now();
    const previous = this.statusOf(sourceId);
    await this.update(sourceId, {
      lastAttemptAt: now,
      lastError: messageOf(error),
      failingSince: previous.failingSince ?? now,
      lastRun: { status: 'failed', at: now.toISOString(), message: messageOf(error) },
    });
    this.deps.log.warn(
      { source: sourceId, error: messageOf(error) },
      'schedule sync failed; the last good schedule stays',
    );
  }

  /** Merges `patch` into the source's status and stores it. */
  async update(sourceId: string, patch: Partial<SourceStatusRecord>): Promise<SourceStatusRecord> {
    await this.load();
    const next = { ...this.statusOf(sourceId), ...patch, sourceId };
    this.status.set(sourceId, next);
    await this.deps.sourceStore.saveStatus(next);
    return next;
  }

  /**
   * Reads the source's status again from the store: on a cluster another instance may have synced it
   * since this one last looked (sync-runner.ts SourceDuty).
   */
  async reload(sourceId: string): Promise<SourceStatusRecord> {
    await this.load();
    const stored = await this.deps.sourceStore.status(sourceId);
    this.status.set(sourceId, stored ?? emptyStatus(sourceId));
    return this.statusOf(sourceId);
  }

  /** The status as last recorded (synchronous; call after `statuses()` or any sync has loaded it). */
  statusOf(sourceId: string): SourceStatusRecord {
    return this.status.get(sourceId) ?? emptyStatus(sourceId);
  }

  private load(): Promise<void> {
    this.loaded ??= this.deps.sourceStore.listStatus().then((all) => {
      for (const s of all) if (!this.status.has(s.sourceId)) this.status.set(s.sourceId, s);
    });
    return this.loaded;
  }

  private failed(sourceId: string, error: unknown, pull?: SourcePull): SyncOutcome {
    const retryAfterMs = error instanceof SourceError ? error.detail.retryAfterMs : undefined;
    return {
      sourceId,
      status: 'failed',
      changes: [],
      counts: {
        rows: pull?.shifts?.length ?? 0,
        shifts: 0,
        unmapped: 0,
        repeated: 0,
        added: 0,
        removed: 0,
        changed: 0,
      },
      unmapped: [],
      message: `failed, nothing changed: ${messageOf(error)}`,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }

  private async sendDigest(
    settings: SourceSettings,
    rows: readonly UnmappedSourceRow[],
    now: Date,
  ): Promise<void> {
    if (!this.deps.unmappedDigest) return;
    const interval = settings.unmappedDigestMinutes * 60_000;
    const bucket = Math.floor(now.getTime() / interval);
    try {
      await this.deps.unmappedDigest(settings.id, rows, `unmapped-digest:${settings.id}:${bucket}`);
    } catch (error) {
      this.deps.log.error(
        { source: settings.id, error: messageOf(error) },
        'unmapped rows digest not queued',
      );
    }
  }
}

/** A pull that is not well formed is a failed pull: nothing of it is applied. Checked a page per turn. */
async function checkPull(pull: SourcePull): Promise<void> {
  if (!pull || (pull.mode !== 'window' && pull.mode !== 'delta') || !Array.isArray(pull.shifts)) {
    throw new SourceError('the client returned a malformed pull');
  }
  if (pull.mode === 'window' && !(pull.to.getTime() > pull.from.getTime()))
    throw new SourceError('the pull window ends before it starts');
  for (let i = 0; i < pull.shifts.length; i++) {
    const s = pull.shifts[i];
    const where = s.at ?? `row ${i + 1}`;
    if (
      !(s.start instanceof Date) ||
      !(s.end instanceof Date) ||
      Number.isNaN(s.start.getTime()) ||
      Number.isNaN(s.end.getTime())
    ) {
      throw new SourceError(`${where}: the shift has no valid start or end`);
    }
    if (!(s.end.getTime() > s.start.getTime()))
      throw new SourceError(`${where}: the shift ends before it starts`);
    if (i % CHECK_PAGE === CHECK_PAGE - 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Rows of a pull checked per turn of the event loop. */
const CHECK_PAGE = 2000;

/** A source nothing has been recorded of yet. */
export function emptyStatus(sourceId: string): SourceStatusRecord {
  return {
    sourceId,
    lastAttemptAt: null,
    lastSuccessAt: null,
    lastError: null,
    failingSince: null,
    cursor: null,
    nextRunAt: null,
    lastRun: null,
    staleAlertedAt: null,
  };
}

function tally(changes: readonly ScheduleChange[]): Pick<SyncCounts, 'added' | 'removed' | 'changed'> {
  let added = 0;
  let removed = 0;
  for (const c of changes) {
    if (c.before === null) added += 1;
    else if (c.after === null) removed += 1;
  }
  return { added, removed, changed: changes.length - added - removed };
}

function countOf(pull: SourcePull, mapped: MappedPull, changes: readonly ScheduleChange[]): SyncCounts {
  return {
    rows: pull.shifts.length + (pull.mode === 'delta' ? pull.deleted.length : 0),
    shifts: mapped.shifts.length,
    unmapped: mapped.unmapped.length,
    repeated: mapped.repeated,
    ...tally(changes),
  };
}

function describe(
  verb: string,
  changes: readonly ScheduleChange[],
  unmapped: readonly UnmappedSourceRow[],
): string {
  const t = tally(changes);
  const rows = unmapped.length ? `, ${unmapped.length} row(s) not mapped` : '';
  return `${verb} ${t.added} added, ${t.removed} removed, ${t.changed} changed${rows}`;
}

function reasonCounts(rows: readonly UnmappedSourceRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.reason] = (out[r.reason] ?? 0) + 1;
  return out;
}

/** What the status keeps of a run: counts and the message, not the changes themselves (the feed has them). */
function summary(o: SyncOutcome, at: Date): unknown {
  return {
    status: o.status,
    at: at.toISOString(),
    message: o.message,
    counts: o.counts,
    firstSeq: o.changes[0]?.seq ?? null,
    lastSeq: o.changes.at(-1)?.seq ?? null,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
