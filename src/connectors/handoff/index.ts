/**
 * Handoff notices: a configurable time before a covered shift starts, the incoming clinician (and, when
 * configured, the one going off) is told in the clinician app (a notice from Switchboard in their
 * messages) and by pager or e-mail (their directory contacts, through the paging carriers), once; `tell`
 * picks the channels. Virtual pager numbers already follow the schedule at page time; this tells the
 * people. A notice is a job due `leadMinutes` before the start: a later change of the shift replaces it (it
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

/** How a person is told: the clinician app, or their pager and e-mail contacts. */
export type HandoffChannel = 'app' | 'pager';

const CHANNELS: readonly HandoffChannel[] = ['app', 'pager'];

export interface HandoffOptions {
  /** @defaultValue 30 */
  leadMinutes: number;
  /** Also tell whoever covers the same assignment and call order until the start. @defaultValue false */
  tellOutgoing: boolean;
  /** The channels that tell each person, at least one. @defaultValue ['app', 'pager'] */
  tell: readonly HandoffChannel[];
}

/** One person to tell about a handoff, and what. */
interface Notice {
  /** 'in': the incoming clinician; 'out': the one going off. Names the notice across retries. */
  who: 'in' | 'out';
  personId: string;
  subject: string;
  text: string;
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
    const { page, notifyApp, store, planning } = this.ctx;
    const tell = new Set(s.options.tell);
    if (tell.has('pager') && !page) throw new TargetError('no pager here (the running Switchboard has one)');
    if (tell.has('app') && !notifyApp)
      throw new TargetError('no clinician app here (the running Switchboard has one)');
    const inc = job.incoming;
    if (!inc) return 'cancelled: nothing to tell';
    const start = new Date(inc.start);
    if (new Date(inc.end) <= planning.now()) return 'too late: the shift is over';
    const key = `told:${job.shiftId}`;
    const told = `${inc.personId}@${inc.start}`;
    if ((await store.state(s.id, key)) === told) return 'already told';
    const at = (d: Date) => DateTime.fromJSDate(d, { zone: planning.zone }).toFormat('HH:mm (ccc d LLL)');
    const subject = `Handoff: ${inc.assignmentName}`;
    const notices: Notice[] = [
      {
        who: 'in',
        personId: inc.personId,
        subject,
        text: `Handoff: you are on call for ${inc.assignmentName} from ${at(start)} until ${at(new Date(inc.end))}.`,
      },
    ];
    if (s.options.tellOutgoing && this.ctx.schedules) {
      const before = await this.ctx.schedules.shiftsAt(inc.assignmentId, new Date(start.getTime() - 1));
      const outgoing = before.find(
        (x) => x.callOrder === inc.callOrder && x.published && x.personId !== inc.personId,
      );
      if (outgoing)
        notices.push({
          who: 'out',
          personId: outgoing.personId,
          subject,
          text: `Handoff: ${inc.personName} takes over ${inc.assignmentName} from you at ${at(start)}.`,
        });
    }
    const answers: string[] = [];
    for (const n of notices) {
      const noticeKey = `handoff-${d.id}-${n.who}`;
      let toldBy = 0;
      if (notifyApp && tell.has('app')) {
        // Kept per person and start, so a retry after a failed page does not put it in the app again.
        const appKey = `app:${job.shiftId}:${n.who}`;
        if ((await store.state(s.id, appKey)) === told) answers.push(`${n.personId} app: told before`);
        else {
          answers.push(await notifyApp(n.personId, n.subject, n.text, noticeKey));
          await store.putState(s.id, [{ key: appKey, value: told }]);
        }
        toldBy++;
      }
      if (page && tell.has('pager')) {
        const paged = await page(n.personId, n.text, noticeKey);
        if (paged !== undefined) toldBy++;
        answers.push(paged ?? `${n.personId} has no pager or e-mail contact`);
      }
      // Only when nothing at all could tell them; the app alone is enough.
      if (toldBy === 0) {
        const name = planning.directory().person(n.personId)?.name ?? n.personId;
        throw new TargetError(`${name} has no pager or e-mail contact`, true);
      }
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
  optionKeys: ['leadMinutes', 'tellOutgoing', 'tell'],
  cadences: ['onChange'],
  readOptions(raw, checks: SectionChecks, path) {
    return {
      leadMinutes: checks.whole(raw?.leadMinutes, [...path, 'leadMinutes'], 0, 24 * 60, 30),
      tellOutgoing: checks.flag(raw?.tellOutgoing, [...path, 'tellOutgoing'], false),
      tell: readTell(raw?.tell, checks, [...path, 'tell']),
    };
  },
  create: (settings) => new HandoffConnector(settings),
  sender: (ctx) => new HandoffSender(ctx),
};

/** `tell: [app, pager]` (or one of them, also as a bare word): both when absent; each problem at its item. */
function readTell(raw: unknown, checks: SectionChecks, path: Array<string | number>): HandoffChannel[] {
  if (raw === undefined || raw === null) return [...CHANNELS];
  if (typeof raw !== 'string' && !Array.isArray(raw)) {
    checks.report(path, 'must be a list: [app, pager], [app] or [pager]');
    return [...CHANNELS];
  }
  const items: unknown[] = typeof raw === 'string' ? [raw] : raw;
  if (items.length === 0) checks.report(path, 'must name app, pager or both');
  const tell: HandoffChannel[] = [];
  items.forEach((item, i) => {
    const at = typeof raw === 'string' ? path : [...path, i];
    if (!CHANNELS.includes(item as HandoffChannel)) checks.report(at, 'must be app or pager');
    else if (tell.includes(item as HandoffChannel)) checks.report(at, `names ${item} twice`);
    else tell.push(item as HandoffChannel);
  });
  return tell.length ? tell : [...CHANNELS];
}
