/**
 * Wires the schedule sync into a running Switchboard: each source in sources.yaml gets its kind's client,
 * the engine maps staff through the directory's crosswalk and writes through the schedule store, and the
 * runner pulls each source on its cadence. Failures reach people through paths that exist already: a stale
 * source raises an alert to the failsafe group (as the coverage-gap warning does), the unmapped rows go to
 * the site's administrators as an e-mail through the SMTP paging carrier (an outbox row), and, when a
 * source asks for it, the clinicians a change affects are paged in the same transaction as the change.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Site } from '../config/site.ts';
import { type CarrierTable, carrierFor, type PageOrder } from '../delivery/paging/carriers.ts';
import { PAGE_CHANNEL } from '../delivery/paging/pager-channel.ts';
import type { Directory } from '../directory/directory.ts';
import { normalizeId } from '../directory/directory.ts';
import { externalIdKinds } from '../directory/types.ts';
import type { RaiseAlert } from '../routing/alerts.ts';
import type { Clock } from '../routing/clock.ts';
import type { RecipientSpec } from '../routing/rules/types.ts';
import { formatLocal } from '../schedules/local-time.ts';
import type { FindPeople, UnmappedSourceRow } from '../schedules/mapping.ts';
import { isPushClient } from '../schedules/sources/push.ts';
import type { ScheduleSourceClient } from '../schedules/sources/source.ts';
import { ScheduleSyncEngine } from '../schedules/sync-engine.ts';
import { ScheduleSyncRunner, type SourceDuty } from '../schedules/sync-runner.ts';
import type { NewDelivery } from '../store/outbox-port.ts';
import type { Store } from '../store/port.ts';
import type { ScheduleChange } from '../store/schedule-port.ts';
import type { Duty, DutyRoster } from './duty-roster.ts';

export interface ScheduleSyncOptions {
  site: Site;
  store: Store;
  log: Logger;
  clock: Clock;
  /** Raises an alert (AlertService.raise), for a stale source. */
  raise?: (input: RaiseAlert) => Promise<unknown>;
  /** The site's failsafe group (config routing.failsafeGroup), told of a stale source. */
  failsafe: readonly RecipientSpec[];
  /** The paging carriers (config paging): the digest and the affected-people pages go through them. */
  paging: () => CarrierTable;
  /** Start the timers. Tests and the CLI's one-off sync pass false. @defaultValue true */
  run?: boolean;
  /**
   * The instance's roster of cluster duties: each pulled source is one (`schedule-source:<id>`), so a
   * cluster pulls it from one instance. Absent, this instance pulls every source.
   */
  duties?: DutyRoster;
}

export interface ScheduleSync {
  engine: ScheduleSyncEngine;
  runner: ScheduleSyncRunner;
  /** For /api/health: 'listening' while every enabled source is in good health. */
  health(): { state: string; sources: ReturnType<ScheduleSyncRunner['health']> };
  stop(): Promise<void>;
}

export async function wireScheduleSync(o: ScheduleSyncOptions): Promise<ScheduleSync> {
  const { site, store, log } = o;
  const zone = site.config.site.timezone;
  const syncLog = log.child({ part: 'schedule-sync' });
  const clients = new Map<string, ScheduleSourceClient>();
  for (const s of site.sources.sources) {
    const kind = site.sources.kindOf(s.id);
    if (!kind) continue;
    clients.set(s.id, kind.create(s.options, { zone, configDir: site.configDir, sourceId: s.id }));
  }
  const engine = new ScheduleSyncEngine(
    {
      schedules: store.schedules,
      sourceStore: store.scheduleSources,
      findPeople: crosswalkLookup(() => site.directory),
      now: () => o.clock.now(),
      log: syncLog,
      affectedNotices: (change) => affectedPages(change, site, o.paging(), zone),
      unmappedDigest: async (sourceId, rows, onceKey) => {
        const mails = digestMails(sourceId, rows, onceKey, site, o.paging(), zone);
        if (mails.length === 0) {
          syncLog.warn(
            { source: sourceId },
            'unmapped rows digest: no administrator with an e-mail and an SMTP carrier',
          );
          return;
        }
        await store.outbox.add(mails, o.clock.now());
      },
    },
    site.sources.sources,
  );
  // One lease per source rather than one for all: the sources' pulls spread over the instances, and a
  // long first sync of one source does not hold the others up.
  const duties = new Map<string, Duty>();
  const duty: SourceDuty | undefined =
    o.duties && o.run !== false
      ? {
          turn: async (id, pull) => duties.get(id)?.turn(pull),
          holds: (id) => duties.get(id)?.held ?? false,
        }
      : undefined;
  const runner = new ScheduleSyncRunner(engine, clients, {
    duty,
    now: () => o.clock.now(),
    log: syncLog,
    stale: async (source, since) => {
      if (!o.raise || o.failsafe.length === 0) return;
      const when = formatLocal(since, zone);
      await o.raise({
        messageId: null,
        source: 'schedules',
        ruleId: 'schedule-source-stale',
        title: `Schedule from ${source.id} not synced since ${when}`,
        body: `The ${source.kind} schedule ${source.id} has had no good sync since ${when} (threshold ${source.staleAfterMinutes} min). On-call answers may be out of date: check the source (switchboard sources).`,
        priority: 'high',
        recipients: o.failsafe,
        dedupKey: `schedule-source-stale:${source.id}:${since.toISOString()}`,
        context: { source: source.id, since: since.toISOString() },
        reasons: [`schedule source ${source.id} stale for over ${source.staleAfterMinutes} min`],
      });
    },
  });
  if (duty && o.duties) {
    for (const s of site.sources.sources) {
      const client = clients.get(s.id);
      if (!s.enabled || !client) continue;
      // A push source has nothing to pull: its duty is only the staleness look (sync-runner checkStale).
      const job = isPushClient(client)
        ? { begin: () => {}, end: () => {} }
        : { begin: () => runner.takeOver(s.id), end: () => runner.handOver(s.id) };
      duties.set(s.id, o.duties.add(`schedule-source:${s.id}`, job));
    }
  }
  if (o.run !== false) await runner.start();
  return {
    engine,
    runner,
    health() {
      const sources = runner.health();
      const bad = sources.some((s) => s.state === 'stale' || s.state === 'failing');
      return { state: bad ? 'stale' : 'listening', sources };
    },
    stop: () => runner.stop(),
  };
}

/**
 * The directory's crosswalk as the engine asks it: every person a kind's value names. Built once per
 * directory (a reload builds a new one); two people sharing an id are both returned, so the engine can
 * refuse the row instead of taking whichever came last.
 */
export function crosswalkLookup(directory: () => Directory): FindPeople {
  let built: Directory | undefined;
  let index = new Map<string, Map<string, string[]>>();
  return (kind, value) => {
    const dir = directory();
    if (dir !== built) {
      built = dir;
      index = new Map();
      for (const k of externalIdKinds) index.set(k, new Map());
      for (const p of dir.people()) {
        for (const k of externalIdKinds) {
          const v = p.ids[k];
          if (v === undefined) continue;
          const byValue = index.get(k)!;
          const key = normalizeId(v);
          byValue.set(key, [...(byValue.get(key) ?? []), p.id]);
        }
      }
    }
    if (kind === 'id') return dir.person(value.trim()) ? [value.trim()] : [];
    return index.get(kind)?.get(normalizeId(value)) ?? [];
  };
}

/** Pages to the outgoing and incoming clinician of a change to a shift that has not ended. */
export function affectedPages(
  change: ScheduleChange,
  site: Site,
  paging: CarrierTable,
  zone: string,
): NewDelivery[] {
  const shift = change.after ?? change.before;
  if (!shift || shift.end.getTime() <= change.at.getTime()) return [];
  const name =
    site.schedules?.assignments.find((a) => a.id === shift.assignmentId)?.name ?? shift.assignmentId;
  const when = (s: { start: Date; end: Date }) =>
    `${formatLocal(s.start, zone)} to ${formatLocal(s.end, zone)}`;
  const told = new Map<string, string>();
  if (change.before && (change.after === null || change.kinds.includes('person-changed'))) {
    told.set(change.before.personId, `Schedule change: you are no longer on ${name} ${when(change.before)}.`);
  }
  if (change.after) {
    const what =
      change.before === null || change.kinds.includes('person-changed')
        ? 'you are now on'
        : 'your shift changed:';
    told.set(
      change.after.personId,
      `Schedule change: ${what} ${name} ${when(change.after)} (call order ${change.after.callOrder}).`,
    );
  }
  const out: NewDelivery[] = [];
  for (const [personId, text] of told)
    out.push(...pagesTo(personId, text, site, paging, `sched-${change.seq}`));
  return out;
}

/** One page per pager and e-mail contact of the person that a carrier serves. */
function pagesTo(
  personId: string,
  text: string,
  site: Site,
  paging: CarrierTable,
  idPrefix: string,
): NewDelivery[] {
  const out: NewDelivery[] = [];
  for (const contact of site.directory.contacts(personId)) {
    if (contact.kind !== 'pager' && contact.kind !== 'email') continue;
    const carrier = carrierFor(contact, paging);
    if (!carrier) continue;
    const order: PageOrder = {
      carrier: carrier.name,
      contactKind: contact.kind,
      address: contact.address,
      text,
      messageId: `${idPrefix}-${randomUUID().slice(0, 8)}`,
      personId,
      priority: 'normal',
    };
    out.push({
      channel: PAGE_CHANNEL,
      target: `${carrier.name}:${contact.address}`,
      payload: order,
      alertId: null,
    });
  }
  return out;
}

/**
 * The digest of unmapped rows as e-mails to the administrators (accounts with role admin and a person
 * with an e-mail contact). The text names the source's own staff and task fields and row positions, so
 * whoever keeps the crosswalk can fix it; it holds no patient data.
 */
function digestMails(
  sourceId: string,
  rows: readonly UnmappedSourceRow[],
  onceKey: string,
  site: Site,
  paging: CarrierTable,
  zone: string,
): NewDelivery[] {
  const reasonText = {
    nobody: 'matches nobody',
    'two-people': 'matches two people',
    'unknown-task': 'task maps to no assignment',
  };
  const lines = rows.slice(0, 50).map((r) => {
    const staff = Object.entries(r.staff)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const task = Object.entries(r.task)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return `- ${r.rowRef ?? `row ${r.rowNo}`}: ${reasonText[r.reason]} (${staff}; ${task}; ${formatLocal(r.start, zone)})`;
  });
  const more = rows.length > 50 ? `\n... and ${rows.length - 50} more (GET /api/sources)` : '';
  const counts = (['nobody', 'two-people', 'unknown-task'] as const)
    .map((reason) => [reason, rows.filter((r) => r.reason === reason).length] as const)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${n} ${reasonText[reason]}`)
    .join(', ');
  // The first lines say it all: a carrier may cut a long text (paging.carriers maxLength).
  const text = `Schedule ${sourceId}: ${rows.length} row(s) not applied (${counts}); see switchboard sources or GET /api/sources.\nTheir slots count as coverage gaps until the crosswalk or the mapping in sources.yaml is fixed.\n${lines.join('\n')}${more}`;
  const admins = new Set(
    site.config.accounts.filter((a) => a.role === 'admin' && a.person).map((a) => a.person as string),
  );
  const out: NewDelivery[] = [];
  for (const personId of admins) {
    for (const contact of site.directory.contacts(personId, 'email')) {
      const carrier = carrierFor(contact, paging);
      if (carrier?.kind !== 'smtp') continue;
      const order: PageOrder = {
        carrier: carrier.name,
        contactKind: 'email',
        address: contact.address,
        text,
        messageId: `${onceKey}-${personId}`,
        personId,
        priority: 'normal',
      };
      out.push({
        channel: PAGE_CHANNEL,
        target: `${carrier.name}:${contact.address}`,
        payload: order,
        alertId: null,
        onceKey: `${onceKey}:${personId}:${contact.address}`,
      });
    }
  }
  return out;
}
