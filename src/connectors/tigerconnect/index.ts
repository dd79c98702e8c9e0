/**
 * TigerConnect-style role push: per assignment one or more role ids at the CC&C platform; on each tick of
 * its cadence (every 10 minutes by default) the connector sends, per role, everyone who covers it in the
 * window (0 days back, 30 forward by default), and the platform replaces what it held for that role in
 * that window with exactly this roster: a missed push, or an edit made at the platform, is set right by
 * the next one. Vendors publish no such endpoint; the request is ours, documented in docs/connectors.md,
 * its path configurable: `PUT <target><path>` with HTTP Basic (API key and secret from the environment).
 */
import type { SectionChecks } from '../../kit/section-checks.ts';
import type { ConnectorJob } from '../../store/connector-port.ts';
import type { Delivery } from '../../store/outbox-port.ts';
import type { Shift } from '../../store/schedule-port.ts';
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
import { httpFailure } from '../errors.ts';
import { ConnectorsById, fetchTarget } from '../senders.ts';
import { contentHash, viewShift } from '../shift-view.ts';

export interface RolePushOptions {
  /** With {role} for the role id. @defaultValue /v2/roles/{role}/schedule */
  path: string;
  /** @defaultValue 15000 */
  timeoutMs: number;
}

/** The body of one push: the whole roster of one role in the window. */
export interface RoleRoster {
  role: string;
  window: { from: string; to: string };
  entries: Array<{
    user: string;
    name: string;
    start: string;
    end: string;
    callOrder: number;
    assignment: string;
  }>;
  hash: string;
}

interface RoleJob {
  connector: string;
  roster: RoleRoster;
}

const KIND = 'tigerconnect';

class RolePushConnector implements Connector {
  constructor(readonly settings: ConnectorSettings<RolePushOptions>) {}

  async planChanges(): Promise<ConnectorPlan> {
    // Runs on its cadence only: each tick sends whole rosters.
    return { jobs: [] };
  }

  async planWindow(
    shifts: readonly Shift[],
    w: { from: Date; to: Date },
    ctx: PlanningContext,
  ): Promise<ConnectorPlan> {
    const plan: ConnectorPlan = { jobs: [], skipped: [] };
    const rosters = new Map<string, RoleRoster['entries']>();
    for (const [assignment, roles] of this.settings.assignments) {
      if (roles.length === 0)
        plan.skipped?.push({ subject: assignment, reason: 'is not mapped to a role id in connectors.yaml' });
      for (const role of roles) rosters.set(role, rosters.get(role) ?? []);
    }
    if (this.settings.assignments.size === 0)
      plan.skipped?.push({ subject: this.settings.id, reason: 'maps no assignment to a role id' });
    for (const s of shifts) {
      const view = viewShift(s, this.settings, ctx);
      if (view.kind === 'skipped') plan.skipped?.push(view.skip);
      if (view.kind !== 'shown') continue;
      const f = view.facts;
      for (const role of f.targetNames) {
        rosters.get(role)?.push({
          user: f.targetPersonId,
          name: f.personName,
          start: f.start.toISOString(),
          end: f.end.toISOString(),
          callOrder: f.callOrder,
          assignment: f.assignmentId,
        });
      }
    }
    for (const [role, entries] of rosters) {
      const window = { from: w.from.toISOString(), to: w.to.toISOString() };
      const roster: RoleRoster = { role, window, entries, hash: contentHash({ role, entries }) };
      const job: ConnectorJob = {
        channel: channelOf(KIND),
        target: targetOf(this.settings.id, `role:${role}`),
        payload: { connector: this.settings.id, roster } satisfies RoleJob,
        alertId: null,
        coalesceKey: `${this.settings.id}:role:${role}`,
      };
      plan.jobs.push(job);
    }
    return plan;
  }
}

class RolePushSender implements ConnectorSender {
  private readonly byId: ConnectorsById<RolePushOptions>;

  constructor(private readonly ctx: KindContext) {
    this.byId = new ConnectorsById(ctx.connectors, KIND);
  }

  async send(d: Delivery): Promise<string> {
    const { connector, roster } = d.payload as RoleJob;
    const s = this.byId.of(connector);
    const url = `${s.target.replace(/\/$/, '')}${s.options.path.replace('{role}', encodeURIComponent(roster.role))}`;
    const basic = Buffer.from(`${s.credentials.apiKey ?? ''}:${s.credentials.apiSecret ?? ''}`).toString(
      'base64',
    );
    const res = await fetchTarget(
      this.ctx.fetch,
      `role push ${s.id}`,
      url,
      {
        method: 'PUT',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/json',
          'idempotency-key': roster.hash,
        },
        body: JSON.stringify(roster),
      },
      s.options.timeoutMs,
    );
    const answer = (await res.text()).slice(0, 200);
    if (!res.ok)
      throw httpFailure(
        `role push ${s.id} role ${roster.role}`,
        res.status,
        res.headers.get('retry-after'),
        answer,
      );
    return `HTTP ${res.status} ${roster.entries.length} entries`;
  }

  describe(d: Delivery): { target: string; summary: string } {
    const { roster } = d.payload as RoleJob;
    return {
      target: `role:${roster.role}`,
      summary: `roster of ${roster.entries.length} for role ${roster.role}`,
    };
  }
}

export const tigerConnectKind: ConnectorKind<RolePushOptions> = {
  kind: KIND,
  optionKeys: ['path', 'timeoutMs'],
  requiredCredentials: ['apiKey', 'apiSecret'],
  cadences: ['every'],
  readOptions(raw, checks: SectionChecks, path) {
    const p = checks.text(raw?.path, [...path, 'path'], false) ?? '/v2/roles/{role}/schedule';
    if (!p.includes('{role}'))
      checks.report([...path, 'path'], 'must contain {role}, where the role id goes');
    return { path: p, timeoutMs: checks.whole(raw?.timeoutMs, [...path, 'timeoutMs'], 100, 120_000, 15_000) };
  },
  create: (settings) => new RolePushConnector(settings),
  sender: (ctx) => new RolePushSender(ctx),
};
