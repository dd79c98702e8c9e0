/**
 * On-call changes to a Spok/AMS-style platform as WCTP messages: each change of a covered shift is a
 * wctp-SubmitRequest to the configured carrier, to the recipient ids the mapping gives the assignment (an
 * on-call group, a console, a pager), with a line in the hospital's words and its local time:
 * "Hospitalist on call: Dr. Lucia Castro, Mon 7 Dec 19:00 until Tue 8 Dec 07:00 (was Dr. Samira Ahmed)".
 * The messageID is the job's, the same on every retry, so the carrier can drop a repeat. The reply is
 * read as the pager carriers read it: 300-499 refuse for good, 500-699 are worth another try.
 */
import { DateTime } from 'luxon';
import type { SectionChecks } from '../../kit/section-checks.ts';
import { buildSubmitRequest, isWctpError, parseWctp } from '../../protocols/wctp/index.ts';
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
import { httpFailure, TargetError } from '../errors.ts';
import { ConnectorsById, fetchTarget } from '../senders.ts';
import { viewShift } from '../shift-view.ts';

export interface WctpOptions {
  senderId: string;
  /** @defaultValue 10000 */
  timeoutMs: number;
}

interface WctpJob {
  connector: string;
  recipient: string;
  text: string;
}

const KIND = 'wctp';

class WctpConnector implements Connector {
  constructor(readonly settings: ConnectorSettings<WctpOptions>) {}

  async planChanges(changes: readonly ScheduleChange[], ctx: PlanningContext): Promise<ConnectorPlan> {
    const plan: ConnectorPlan = { jobs: [], skipped: [] };
    for (const c of changes) {
      const after = c.after ? viewShift(c.after, this.settings, ctx) : undefined;
      const before = c.before ? viewShift(c.before, this.settings, ctx) : undefined;
      if (after?.kind === 'skipped') plan.skipped?.push(after.skip);
      const shift = (c.after ?? c.before) as Shift;
      const recipients = this.settings.assignments.get(shift.assignmentId) ?? [];
      if (recipients.length === 0) {
        plan.skipped?.push({
          subject: shift.assignmentId,
          reason: 'has no WCTP recipient in connectors.yaml',
        });
        continue;
      }
      const text = this.describe(c, after, before, ctx);
      if (!text) continue;
      for (const recipient of recipients)
        plan.jobs.push({
          channel: channelOf(KIND),
          target: targetOf(this.settings.id, recipient),
          payload: { connector: this.settings.id, recipient, text } satisfies WctpJob,
          alertId: null,
          // One message per shift and recipient waits at a time: a backlog tells the latest.
          coalesceKey: `${this.settings.id}:${recipient}:shift:${c.shiftId}`,
        });
    }
    return plan;
  }

  /** A notice is about a change: the window as a whole has nothing to tell. */
  async planWindow(): Promise<ConnectorPlan> {
    return { jobs: [] };
  }

  private describe(
    c: ScheduleChange,
    after: ReturnType<typeof viewShift> | undefined,
    before: ReturnType<typeof viewShift> | undefined,
    ctx: PlanningContext,
  ): string | undefined {
    const when = (s: Date, e: Date) => {
      const f = (d: Date) => DateTime.fromJSDate(d, { zone: ctx.zone }).toFormat('ccc d LLL HH:mm');
      return `${f(s)} until ${f(e)}`;
    };
    const name = ctx.assignment(c.assignmentId)?.name ?? c.assignmentId;
    const was = before?.kind === 'shown' ? before.facts.personName : undefined;
    if (after?.kind === 'shown') {
      const f = after.facts;
      const previously = was && was !== f.personName ? ` (was ${was})` : '';
      return `${name}: ${f.personName}, ${when(f.start, f.end)}${previously}`;
    }
    if (before?.kind === 'shown') {
      const f = before.facts;
      return `${name}: ${f.personName} no longer on call ${when(f.start, f.end)}`;
    }
    return undefined;
  }
}

class WctpSender implements ConnectorSender {
  private readonly byId: ConnectorsById<WctpOptions>;

  constructor(private readonly ctx: KindContext) {
    this.byId = new ConnectorsById(ctx.connectors, KIND);
  }

  async send(d: Delivery): Promise<string> {
    const job = d.payload as WctpJob;
    const s = this.byId.of(job.connector);
    const body = buildSubmitRequest({
      originator: { senderID: s.options.senderId, securityCode: s.credentials.securityCode },
      messageControl: { messageID: `sb-${d.id}`, notifyWhenDelivered: false, allowTruncation: true },
      recipient: { recipientID: job.recipient },
      payload: { kind: 'alphanumeric', text: job.text },
    });
    const res = await fetchTarget(
      this.ctx.fetch,
      `WCTP ${s.id}`,
      s.target,
      { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body },
      s.options.timeoutMs,
    );
    const answer = await res.text();
    if (res.status !== 200) throw httpFailure(`WCTP ${s.id}`, res.status, res.headers.get('retry-after'));
    let parsed: ReturnType<typeof parseWctp>;
    try {
      parsed = parseWctp(answer);
    } catch (err) {
      if (isWctpError(err)) throw new TargetError(`WCTP ${s.id} answered what is not WCTP: ${err.message}`);
      throw err;
    }
    if (parsed.operation !== 'Confirmation')
      throw new TargetError(`WCTP ${s.id} answered ${parsed.operation}`);
    const r = parsed.result;
    const said = `${r.code}${r.text ? ` ${r.text}` : ''}`;
    if (r.kind === 'success') return `WCTP ${said}`;
    throw new TargetError(`WCTP ${s.id} refused: ${said}`, r.code >= 300 && r.code < 500);
  }

  describe(d: Delivery): { target: string; summary: string } {
    const job = d.payload as WctpJob;
    return { target: job.recipient, summary: job.text };
  }
}

export const wctpKind: ConnectorKind<WctpOptions> = {
  kind: KIND,
  optionKeys: ['senderId', 'timeoutMs'],
  cadences: ['onChange'],
  readOptions(raw, checks: SectionChecks, path) {
    return {
      senderId: checks.text(raw?.senderId, [...path, 'senderId'], true) ?? '',
      timeoutMs: checks.whole(raw?.timeoutMs, [...path, 'timeoutMs'], 100, 120_000, 10_000),
    };
  },
  create: (settings) => new WctpConnector(settings),
  sender: (ctx) => new WctpSender(ctx),
};
