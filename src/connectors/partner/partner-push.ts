/**
 * Partner API push in the AnesthesiaGo style: the partner builds its daily OR case schedules from ours, so
 * whenever a covered assignment's schedule changes (or on the connector's cadence) the window is POSTed
 * as JSON to the partner's URL. People are named by the crosswalk id the partner knows (personId, the
 * employee id by custom); assignments by the partner's assignment ids (the connector's `assignments:`
 * mapping, which also decides which assignments pass through at all).
 *
 * The body is the whole window, so the partner ends up with exactly our schedule; it is built when sent,
 * from the store, and carries a hash of its shifts (also the Idempotency-Key header): a body the partner
 * already acknowledged is not sent again.
 */
import { createHash } from 'node:crypto';
import type { SectionChecks } from '../../kit/section-checks.ts';
import type { Delivery } from '../../store/outbox-port.ts';
import type { ScheduleStore } from '../../store/schedule-port.ts';
import {
  type Connector,
  type ConnectorKind,
  type ConnectorSender,
  type ConnectorSettings,
  channelOf,
  connectorOfTarget,
  type KindContext,
  targetOf,
} from '../connector.ts';
import { httpFailure, TargetError, unreachable } from '../errors.ts';
import { publishedShifts } from '../exports/shift-pages.ts';
import { windowSpan } from '../exports/spans.ts';

export const PARTNER_PUSH = 'partner-push';

export interface PartnerPushOptions {
  /** @defaultValue 15000 */
  timeoutMs: number;
}

/** What the partner receives. */
export interface PartnerSchedule {
  connector: string;
  generatedAt: string;
  timeZone: string;
  window: { from: string; to: string };
  shifts: PartnerShift[];
  /** SHA-256 of `shifts`: the same hash, the same schedule. */
  hash: string;
}

export interface PartnerShift {
  shiftId: string;
  employeeId: string;
  /** The partner's assignment id (one of ours may map to several of theirs: one entry each). */
  assignmentId: string;
  start: string;
  end: string;
  callOrder: number;
}

const LAST_HASH = 'partner:lastHash';

class PartnerConnector implements Connector {
  constructor(readonly settings: ConnectorSettings<PartnerPushOptions>) {}

  private job() {
    return {
      jobs: [
        {
          channel: channelOf(PARTNER_PUSH),
          target: targetOf(this.settings.id, 'schedule'),
          payload: { connector: this.settings.id },
          alertId: null,
          coalesceKey: `${this.settings.id}:schedule`,
        },
      ],
    };
  }

  async planChanges(changes: readonly { assignmentId: string }[]) {
    const mapped = this.settings.assignments;
    const relevant = changes.some((c) => mapped.size === 0 || mapped.has(c.assignmentId));
    return relevant ? this.job() : { jobs: [] };
  }

  async planWindow() {
    return this.job();
  }
}

class PartnerSender implements ConnectorSender {
  private readonly byId: Map<string, ConnectorSettings<PartnerPushOptions>>;

  constructor(
    private readonly ctx: KindContext,
    private readonly schedules: () => ScheduleStore,
  ) {
    this.byId = new Map(
      ctx.connectors.map((c) => [c.id, c as unknown as ConnectorSettings<PartnerPushOptions>]),
    );
  }

  async send(job: Delivery): Promise<string> {
    const settings = this.byId.get(connectorOfTarget(job.target));
    if (!settings) throw new TargetError(`no partner-push connector for ${job.target}`, true);
    const { body, skipped } = await this.schedule(settings);
    if ((await this.ctx.store.state(settings.id, LAST_HASH)) === body.hash) {
      return `unchanged (${body.shifts.length} shifts, hash ${body.hash.slice(0, 12)}): not sent again`;
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': body.hash,
    };
    if (settings.credentials.token) headers.authorization = `Bearer ${settings.credentials.token}`;
    let res: Response;
    try {
      res = await this.ctx.fetch(settings.target, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(settings.options.timeoutMs),
      });
    } catch (err) {
      throw unreachable(`partner ${settings.id}`, err);
    }
    const answer = (await res.text()).slice(0, 200);
    if (!res.ok)
      throw httpFailure(`partner ${settings.id}`, res.status, res.headers.get('retry-after'), answer);
    await this.ctx.store.putState(settings.id, [{ key: LAST_HASH, value: body.hash }]);
    const left = skipped.size > 0 ? `; left out: ${[...skipped].slice(0, 5).join('; ')}` : '';
    return `HTTP ${res.status}: ${body.shifts.length} shifts${left}`;
  }

  describe(job: Delivery): { target: string; summary: string } {
    const settings = this.byId.get(connectorOfTarget(job.target));
    return { target: settings?.target ?? job.target, summary: 'schedule window' };
  }

  private async schedule(settings: ConnectorSettings<PartnerPushOptions>) {
    const { planning } = this.ctx;
    const now = planning.now();
    const span = windowSpan(now, planning.zone, settings.window);
    const directory = planning.directory();
    const mapped = settings.assignments;
    const skipped = new Set<string>();
    const shifts: PartnerShift[] = [];
    const wanted = (id: string) => mapped.size === 0 || mapped.has(id);
    for await (const s of publishedShifts(this.schedules(), span.from, span.to, wanted)) {
      const person = directory.person(s.personId);
      if (person?.placeholder && !settings.include.placeholders) continue;
      const employeeId = settings.personId === 'id' ? s.personId : person?.ids[settings.personId];
      if (!employeeId) {
        skipped.add(`${s.personId} has no ${settings.personId}`);
        continue;
      }
      const theirs = mapped.get(s.assignmentId);
      for (const assignmentId of theirs && theirs.length > 0 ? theirs : [s.assignmentId]) {
        shifts.push({
          shiftId: s.id,
          employeeId,
          assignmentId,
          start: s.start.toISOString(),
          end: s.end.toISOString(),
          callOrder: s.callOrder,
        });
      }
    }
    const hash = createHash('sha256').update(JSON.stringify(shifts)).digest('hex');
    const body: PartnerSchedule = {
      connector: settings.id,
      generatedAt: now.toISOString(),
      timeZone: planning.zone,
      window: { from: span.from.toISOString(), to: span.to.toISOString() },
      shifts,
      hash,
    };
    return { body, skipped };
  }
}

/** The kind, reading the schedule through `schedules` when a push is sent. */
export function partnerPushKind(schedules: () => ScheduleStore): ConnectorKind<PartnerPushOptions> {
  return {
    kind: PARTNER_PUSH,
    optionKeys: ['timeoutMs'],
    cadences: ['onChange', 'every', 'daily'],
    readOptions(raw: Record<string, unknown> | undefined, checks: SectionChecks, path) {
      return { timeoutMs: checks.whole(raw?.timeoutMs, [...path, 'timeoutMs'], 100, 120_000, 15_000) };
    },
    create: (settings) => new PartnerConnector(settings),
    sender: (ctx) => new PartnerSender(ctx, schedules),
  };
}
