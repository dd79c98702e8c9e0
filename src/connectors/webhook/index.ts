/**
 * Signed webhook: each change of a shift a connector covers is POSTed as JSON to the hospital's URL,
 * signed (signature.ts). The body carries the shift as it is now (`after`, null once removed), so a
 * receiver that keeps the latest body per shift id holds our schedule; a resend of the same body (same
 * `Switchboard-Delivery` id and `hash`) changes nothing there. A backlog for one shift shrinks to its last
 * state (coalesced per shift).
 */
import type { SectionChecks } from '../../kit/section-checks.ts';
import type { ConnectorJob } from '../../store/connector-port.ts';
import type { Delivery } from '../../store/outbox-port.ts';
import type { ScheduleChange, Shift } from '../../store/schedule-port.ts';
import {
  type Connector,
  type ConnectorKind,
  type ConnectorPlan,
  type ConnectorSender,
  type ConnectorSettings,
  channelOf,
  type JobOutcome,
  type KindContext,
  type PlanningContext,
  targetOf,
} from '../connector.ts';
import { httpFailure } from '../errors.ts';
import { ConnectorsById, fetchTarget } from '../senders.ts';
import { contentHash, type ShiftFacts, viewShift } from '../shift-view.ts';
import { SIGNATURE_HEADER, signBody } from './signature.ts';

export interface WebhookOptions {
  /** @defaultValue 10000 */
  timeoutMs: number;
  /**
   * Requests in flight at once to one webhook, each for a different shift (one shift's jobs coalesce, so
   * two of them are never in flight together). 1 sends strictly one after the other. @defaultValue 4
   */
  concurrency: number;
}

/** The JSON a receiver gets. */
export interface WebhookBody {
  connector: string;
  /** 'shift.changed' from the feed, 'shift.snapshot' from a resync or first run. */
  event: 'shift.changed' | 'shift.snapshot';
  /** The feed's seq of the change (0 for a snapshot). */
  seq: number;
  shiftId: string;
  kinds: string[];
  /** The shift as the receiver should now hold it; null: it is no longer on the schedule. */
  after: WebhookShift | null;
  /** contentHash of `after`: equal hashes, nothing to change. */
  hash: string;
}

export interface WebhookShift {
  assignment: { id: string; name: string; department: string; targetNames: readonly string[] };
  person: { id: string; name: string; targetId: string };
  start: string;
  end: string;
  callOrder: number;
  notes?: string;
}

interface WebhookPayload {
  body: WebhookBody;
}

const KIND = 'webhook';

function toWire(f: ShiftFacts, includeInfo: boolean): WebhookShift {
  return {
    assignment: {
      id: f.assignmentId,
      name: includeInfo ? f.assignmentName : f.assignmentId,
      department: includeInfo ? f.department : '',
      targetNames: f.targetNames,
    },
    person: { id: f.personId, name: f.personName, targetId: f.targetPersonId },
    start: f.start.toISOString(),
    end: f.end.toISOString(),
    callOrder: f.callOrder,
    ...(f.notes ? { notes: f.notes } : {}),
  };
}

class WebhookConnector implements Connector {
  constructor(readonly settings: ConnectorSettings) {}

  async planChanges(changes: readonly ScheduleChange[], ctx: PlanningContext): Promise<ConnectorPlan> {
    const plan: ConnectorPlan = { jobs: [], skipped: [] };
    for (const c of changes) this.add(plan, c.shiftId, c.after, 'shift.changed', c.seq, c.kinds, ctx);
    return plan;
  }

  async planWindow(shifts: readonly Shift[], _w: unknown, ctx: PlanningContext): Promise<ConnectorPlan> {
    const plan: ConnectorPlan = { jobs: [], skipped: [] };
    for (const s of shifts) this.add(plan, s.id, s, 'shift.snapshot', 0, [], ctx);
    return plan;
  }

  private add(
    plan: ConnectorPlan,
    shiftId: string,
    shift: Shift | null,
    event: WebhookBody['event'],
    seq: number,
    kinds: string[],
    ctx: PlanningContext,
  ): void {
    const view = shift ? viewShift(shift, this.settings, ctx) : { kind: 'hidden' as const };
    if (view.kind === 'skipped') {
      plan.skipped?.push(view.skip);
      return;
    }
    // A snapshot says only what is there; a change to hidden (a draft) reads as removed.
    if (view.kind === 'hidden' && event === 'shift.snapshot') return;
    const after = view.kind === 'shown' ? toWire(view.facts, this.settings.include.assignmentInfo) : null;
    const body: WebhookBody = {
      connector: this.settings.id,
      event,
      seq,
      shiftId,
      kinds,
      after,
      hash: contentHash(after),
    };
    const job: ConnectorJob = {
      channel: channelOf(KIND),
      target: targetOf(this.settings.id, 'webhook'),
      payload: { body } satisfies WebhookPayload,
      alertId: null,
      coalesceKey: `${this.settings.id}:shift:${shiftId}`,
    };
    plan.jobs.push(job);
  }
}

class WebhookSender implements ConnectorSender {
  private readonly byId: ConnectorsById<WebhookOptions>;
  readonly sendMany;

  constructor(private readonly ctx: KindContext) {
    this.byId = new ConnectorsById(ctx.connectors, KIND);
    // The worker's cap is per kind: the largest of the connectors' concurrency.
    const perTarget = Math.max(
      1,
      ...ctx.connectors.map((c) => (c.options as WebhookOptions).concurrency ?? 1),
    );
    this.sendMany = {
      max: perTarget * Math.max(1, ctx.connectors.length),
      perTarget,
      send: (jobs: readonly Delivery[]) =>
        Promise.all(
          jobs.map((j) =>
            this.send(j).then(
              (result): JobOutcome => ({ ok: true, result }),
              (error: Error): JobOutcome => ({ ok: false, error }),
            ),
          ),
        ),
    };
  }

  async send(job: Delivery): Promise<string> {
    const { body } = job.payload as WebhookPayload;
    const settings = this.byId.of(body.connector);
    const text = JSON.stringify(body);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'switchboard-delivery': String(job.id),
      'switchboard-event': body.event,
    };
    const secret = settings.credentials.secret;
    if (secret) headers[SIGNATURE_HEADER] = signBody(secret, text, this.ctx.planning.now());
    const res = await fetchTarget(
      this.ctx.fetch,
      `webhook ${settings.id}`,
      settings.target,
      { method: 'POST', headers, body: text },
      settings.options.timeoutMs,
    );
    const answer = (await res.text()).slice(0, 200);
    if (!res.ok)
      throw httpFailure(`webhook ${settings.id}`, res.status, res.headers.get('retry-after'), answer);
    return `HTTP ${res.status}${answer ? ` ${answer}` : ''}`;
  }

  describe(job: Delivery): { target: string; summary: string } {
    const { body } = job.payload as WebhookPayload;
    const settings = this.byId.get(body.connector);
    const what = body.after ? `${body.after.person.name}, ${body.after.assignment.name}` : 'removed';
    return { target: settings?.target ?? '', summary: `${body.event} ${body.shiftId} (${what})` };
  }
}

export const webhookKind: ConnectorKind<WebhookOptions> = {
  kind: KIND,
  optionKeys: ['timeoutMs', 'concurrency'],
  requiredCredentials: ['secret'],
  cadences: ['onChange'],
  readOptions(raw: Record<string, unknown> | undefined, checks: SectionChecks, path) {
    return {
      timeoutMs: checks.whole(raw?.timeoutMs, [...path, 'timeoutMs'], 100, 120_000, 10_000),
      concurrency: checks.whole(raw?.concurrency, [...path, 'concurrency'], 1, 32, 4),
    };
  },
  create: (settings) => new WebhookConnector(settings),
  sender: (ctx) => new WebhookSender(ctx),
};
