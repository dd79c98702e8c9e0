/**
 * Microsoft Graph calendars: each covered shift becomes an event in the person's Outlook calendar
 * (`/users/{upn}/events`), updated when the shift changes, moved when the person (or their UPN) changes,
 * deleted when the shift goes. A person without the crosswalk id (a UPN by default) is skipped and
 * reported. Jobs coalesce per shift: a backlog sends each shift's latest state once.
 */
import type { SectionChecks } from '../../kit/section-checks.ts';
import type { ConnectorJob } from '../../store/connector-port.ts';
import type { ScheduleChange, Shift } from '../../store/schedule-port.ts';
import {
  type Connector,
  type ConnectorKind,
  type ConnectorPlan,
  type ConnectorSettings,
  channelOf,
  type PlanningContext,
  targetOf,
} from '../connector.ts';
import { contentHash, viewShift } from '../shift-view.ts';
import { CalendarSender, type GraphJob } from './calendar-sender.ts';
import { eventOf } from './event.ts';
import { GraphClient } from './graph-client.ts';

export interface GraphOptions {
  /** @defaultValue https://graph.microsoft.com/v1.0 (the connector's `target` overrides it) */
  baseUrl: string;
  /** @defaultValue https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token */
  tokenUrl: string;
  tenant: string;
  /** busy, free, tentative, oof, workingElsewhere. @defaultValue busy */
  showAs: string;
  categories: string[];
  siteName: string;
  /** @defaultValue 15000 */
  timeoutMs: number;
}

const KIND = 'graph';
const SHOW_AS = ['busy', 'free', 'tentative', 'oof', 'workingElsewhere'];

class GraphCalendarConnector implements Connector {
  constructor(readonly settings: ConnectorSettings<GraphOptions>) {}

  async planChanges(changes: readonly ScheduleChange[], ctx: PlanningContext): Promise<ConnectorPlan> {
    const plan: ConnectorPlan = { jobs: [], skipped: [] };
    for (const c of changes) this.add(plan, c.shiftId, c.after, c.before, ctx);
    return plan;
  }

  async planWindow(shifts: readonly Shift[], _w: unknown, ctx: PlanningContext): Promise<ConnectorPlan> {
    const plan: ConnectorPlan = { jobs: [], skipped: [] };
    for (const s of shifts) this.add(plan, s.id, s, null, ctx);
    return plan;
  }

  private add(
    plan: ConnectorPlan,
    shiftId: string,
    after: Shift | null,
    before: Shift | null,
    ctx: PlanningContext,
  ) {
    const view = after ? viewShift(after, this.settings, ctx) : undefined;
    if (view?.kind === 'skipped') plan.skipped?.push(view.skip);
    const o = this.settings.options;
    let job: GraphJob;
    if (view?.kind === 'shown') {
      const event = eventOf(view.facts, {
        showAs: o.showAs,
        categories: o.categories,
        includeInfo: this.settings.include.assignmentInfo,
        siteName: o.siteName,
      });
      const who = view.facts.personName;
      job = {
        connector: this.settings.id,
        shiftId,
        upn: view.facts.targetPersonId,
        event,
        hash: contentHash(event),
        who,
      };
    } else {
      // Gone, a draft, or no longer mappable: no event. A shift that never had one needs no job; the
      // sender deletes the event wherever our record says it is (the old mailbox after a UPN change).
      const was = before ? viewShift(before, this.settings, ctx) : undefined;
      if (was?.kind !== 'shown') return;
      const upn = was.facts.targetPersonId;
      job = {
        connector: this.settings.id,
        shiftId,
        upn,
        event: null,
        hash: contentHash(null),
        who: 'removed',
      };
    }
    const out: ConnectorJob = {
      channel: channelOf(KIND),
      target: targetOf(this.settings.id, job.upn),
      payload: job,
      alertId: null,
      coalesceKey: `${this.settings.id}:shift:${shiftId}`,
    };
    plan.jobs.push(out);
  }
}

export const graphKind: ConnectorKind<GraphOptions> = {
  kind: KIND,
  optionKeys: ['baseUrl', 'tokenUrl', 'tenant', 'showAs', 'categories', 'siteName', 'timeoutMs'],
  requiredCredentials: ['clientId', 'clientSecret'],
  cadences: ['onChange'],
  readOptions(raw, checks: SectionChecks, path) {
    const tenant = checks.text(raw?.tenant, [...path, 'tenant'], false) ?? 'common';
    const showAs = checks.text(raw?.showAs, [...path, 'showAs'], false) ?? 'busy';
    if (!SHOW_AS.includes(showAs)) checks.report([...path, 'showAs'], `must be one of ${SHOW_AS.join(', ')}`);
    const categories = checks
      .list(raw?.categories ?? ['On call'], [...path, 'categories'])
      .map((c, i) => checks.text(c, [...path, 'categories', i], true))
      .filter((c): c is string => c !== undefined);
    return {
      baseUrl: checks.text(raw?.baseUrl, [...path, 'baseUrl'], false) ?? 'https://graph.microsoft.com/v1.0',
      tokenUrl:
        checks.text(raw?.tokenUrl, [...path, 'tokenUrl'], false) ??
        `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`,
      tenant,
      showAs,
      categories,
      siteName: checks.text(raw?.siteName, [...path, 'siteName'], false) ?? 'the hospital',
      timeoutMs: checks.whole(raw?.timeoutMs, [...path, 'timeoutMs'], 100, 120_000, 15_000),
    };
  },
  create: (settings) => new GraphCalendarConnector(settings),
  sender(ctx) {
    const clients = new Map(
      (ctx.connectors as ConnectorSettings<GraphOptions>[]).map((c) => [
        c.id,
        new GraphClient({
          baseUrl: (c.target || c.options.baseUrl).replace(/\/$/, ''),
          tokenUrl: c.options.tokenUrl,
          clientId: c.credentials.clientId ?? '',
          clientSecret: c.credentials.clientSecret ?? '',
          scope: 'https://graph.microsoft.com/.default',
          timeoutMs: c.options.timeoutMs,
          fetch: ctx.fetch,
        }),
      ]),
    );
    return new CalendarSender(clients, ctx.store);
  },
};
