/**
 * Handoff notices: a configurable time before a covered shift starts, the incoming clinician (and, when
 * configured, the one going off) is told by pager or e-mail (their directory contacts, through the paging
 * carriers), once. Virtual pager numbers already follow the schedule at page time; this tells the people.
 * A notice is a job due `leadMinutes` before the start: a later change of the shift replaces it (it
 * coalesces per shift), a removal cancels it, and the connector remembers whom it told about which start,
 * so a resend or an unrelated edit (notes) tells nobody twice.
 */
import { DateTime } from 'luxon';
import type { SectionChecks } from '../../kit/section-checks.ts';
import type { Delivery } from '../../store/outbox-port.ts';
import type { ScheduleChange, Shift } from '../../store/schedule-port.ts';
import {
  type Connector,
  type ConnectorKind,
  type ConnectorPlan,
  type ConnectorSender,
  type ConnectorSettings,
  channelOf,
  type KindContext,
  type PlanningContext,
  targetOf,
} from '../connector.ts';
import { TargetError } from '../errors.ts';
import { ConnectorsById } from '../senders.ts';
import { viewShift } from '../shift-view.ts';

export interface HandoffOptions {
  /** @defaultValue 30 */
  leadMinutes: number;
  /** Also tell whoever covers the same assignment and call order until the start. @defaultValue false */
  tellOutgoing: boolean;
}

interface HandoffJob {
  connector: string;
  shiftId: string;
  /** null: the shift went away or changed so that nobody is to be told. */
  incoming: {
    personId: string;
    personName: string;
    assignmentId: string;
    assignmentName: string;
    callOrder: number;
    start: string;
    end: string;
  } | null;
}

const KIND = 'handoff';

class HandoffConnector implements Connector {
  constructor(readonly settings: ConnectorSettings<HandoffOptions>) {}

  async planChanges(changes: readonly ScheduleChange[], ctx: PlanningContext): Promise<ConnectorPlan> {
    const plan: ConnectorPlan = { jobs: [], skipped: [] };
    for (const c of changes) this.add(plan, c.shiftId, c.after, ctx, true);
    return plan;
  }

  async planWindow(shifts: readonly Shift[], _w: unknown, ctx: PlanningContext): Promise<ConnectorPlan> {
    const plan: ConnectorPlan = { jobs: [], skipped: [] };
    for (const s of shifts) this.add(plan, s.id, s, ctx, false);
    return plan;
  }

  private add(
    plan: ConnectorPlan,
    shiftId: string,
    after: Shift | null,
    ctx: PlanningContext,
    cancel: boolean,
  ) {
    const now = ctx.now();
    const view = after ? viewShift(after, this.settings, ctx) : undefined;
    if (view?.kind === 'skipped') plan.skipped?.push(view.skip);
    const upcoming = view?.kind === 'shown' && view.facts.start > now ? view.facts : undefined;
    // A change that leaves nothing to tell still writes a job: it replaces (cancels) a notice pending.
    if (!upcoming && !cancel) return;
    const lead = this.settings.options.leadMinutes * 60_000;
    const dueAt = upcoming ? new Date(Math.max(now.getTime(), upcoming.start.getTime() - lead)) : now;
    const job: HandoffJob = {
      connector: this.settings.id,
      shiftId,
      incoming: upcoming
        ? {
            personId: upcoming.personId,
            personName: upcoming.personName,
            assignmentId: upcoming.assignmentId,
            assignmentName: upcoming.assignmentName,
            callOrder: upcoming.callOrder,
            start: upcoming.start.toISOString(),
            end: upcoming.end.toISOString(),
          }
        : null,
    };
    plan.jobs.push({
      channel: channelOf(KIND),
      target: targetOf(this.settings.id, upcoming?.personId ?? 'cancelled'),
      payload: job,
      alertId: null,
      dueAt,
      coalesceKey: `${this.settings.id}:handoff:${shiftId}`,
    });
  }
}

class HandoffSender implements ConnectorSender {
  private readonly byId: ConnectorsById<HandoffOptions>;

  constructor(private readonly ctx: KindContext) {
    this.byId = new ConnectorsById(ctx.connectors, KIND);
  }

  async send(d: Delivery): Promise<string> {
    const job = d.payload as HandoffJob;
    const s = this.byId.of(job.connector);
    const { page, store, planning } = this.ctx;
    if (!page) throw new TargetError('no pager here (the running Switchboard has one)');
    const inc = job.incoming;
    if (!inc) return 'cancelled: nothing to tell';
    const start = new Date(inc.start);
    if (new Date(inc.end) <= planning.now()) return 'too late: the shift is over';
    const key = `told:${job.shiftId}`;
    const told = `${inc.personId}@${inc.start}`;
    if ((await store.state(s.id, key)) === told) return 'already told';
    const at = (d: Date) => DateTime.fromJSDate(d, { zone: planning.zone }).toFormat('HH:mm (ccc d LLL)');
    const answers = [
      await page(
        inc.personId,
        `Handoff: you are on call for ${inc.assignmentName} from ${at(start)} until ${at(new Date(inc.end))}.`,
        `handoff-${d.id}-in`,
      ),
    ];
    if (s.options.tellOutgoing && this.ctx.schedules) {
      const before = await this.ctx.schedules.shiftsAt(inc.assignmentId, new Date(start.getTime() - 1));
      const outgoing = before.find(
        (x) => x.callOrder === inc.callOrder && x.published && x.personId !== inc.personId,
      );
      if (outgoing)
        answers.push(
          await page(
            outgoing.personId,
            `Handoff: ${inc.personName} takes over ${inc.assignmentName} from you at ${at(start)}.`,
            `handoff-${d.id}-out`,
          ),
        );
    }
    await store.putState(s.id, [{ key, value: told }]);
    return answers.join('; ');
  }

  describe(d: Delivery): { target: string; summary: string } {
    const job = d.payload as HandoffJob;
    return {
      target: job.incoming?.personId ?? '',
      summary: job.incoming
        ? `handoff notice for ${job.incoming.personName}, shift ${job.shiftId}`
        : `cancelled ${job.shiftId}`,
    };
  }
}

export const handoffKind: ConnectorKind<HandoffOptions> = {
  kind: KIND,
  optionKeys: ['leadMinutes', 'tellOutgoing'],
  cadences: ['onChange'],
  readOptions(raw, checks: SectionChecks, path) {
    return {
      leadMinutes: checks.whole(raw?.leadMinutes, [...path, 'leadMinutes'], 0, 24 * 60, 30),
      tellOutgoing: checks.flag(raw?.tellOutgoing, [...path, 'tellOutgoing'], false),
    };
  },
  create: (settings) => new HandoffConnector(settings),
  sender: (ctx) => new HandoffSender(ctx),
};
