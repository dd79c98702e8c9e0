/**
 * Brings Outlook calendars to the state the Graph jobs carry. Each job says where one shift's event must
 * be (a mailbox and the event) or that it must be gone. What we know of the event (its mailbox, id and
 * content hash) is the connector's state; where we know nothing (a first create, or a crash between
 * Graph's answer and our record), the event is looked up by our shift id in its extended property first,
 * so a resend never makes a second event.
 *
 * A request of several jobs runs in two $batch calls: the lookups, then the writes (POST, PATCH, DELETE),
 * each item's status checked on its own; a throttled item (429, 503) fails only its own job, with its
 * Retry-After.
 */
import type { ConnectorStore } from '../../store/connector-port.ts';
import type { Delivery } from '../../store/outbox-port.ts';
import type { ConnectorSender, JobOutcome } from '../connector.ts';
import { TargetError } from '../errors.ts';
import { type GraphEvent, lookupUrl, SHIFT_PROPERTY_ID, shiftKey, transactionIdOf } from './event.ts';
import { type GraphAnswer, type GraphClient, type GraphRequest, graphFailure } from './graph-client.ts';

export interface GraphJob {
  connector: string;
  shiftId: string;
  /** The mailbox the event belongs in (for a removal: where it was last planned). */
  upn: string;
  /** null: the shift's event must not exist. */
  event: GraphEvent | null;
  hash: string;
  /** For the delivery log. */
  who: string;
}

/** What we recorded after Graph last said yes. */
interface Known {
  upn: string;
  eventId: string;
  hash: string;
}

const stateKey = (shiftId: string) => `event:${shiftId}`;

/** One job's way through: its lookup (if any), its writes, and what to record. */
interface Step {
  job: GraphJob;
  key: string;
  known?: Known;
  found?: string | null;
  writes: Array<{ request: GraphRequest; kind: 'create' | 'update' | 'delete-old' | 'delete' }>;
  error?: Error;
  result?: string;
}

export class CalendarSender implements ConnectorSender {
  readonly sendMany = { max: 10, perTarget: 4, send: (jobs: readonly Delivery[]) => this.sendJobs(jobs) };

  constructor(
    private readonly clients: ReadonlyMap<string, GraphClient>,
    private readonly store: ConnectorStore,
  ) {}

  async send(job: Delivery): Promise<string> {
    const [outcome] = await this.sendJobs([job]);
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  }

  describe(d: Delivery): { target: string; summary: string } {
    const job = d.payload as GraphJob;
    return {
      target: job.upn,
      summary: `${job.event ? 'event' : 'no event'} for shift ${job.shiftId} (${job.who})`,
    };
  }

  private async sendJobs(deliveries: readonly Delivery[]): Promise<JobOutcome[]> {
    const steps: Step[] = [];
    for (const d of deliveries) {
      const job = d.payload as GraphJob;
      const known = (await this.store.state(job.connector, stateKey(job.shiftId))) as Known | undefined;
      steps.push({ job, key: shiftKey(job.connector, job.shiftId), known, writes: [] });
    }
    const byConnector = new Map<string, Step[]>();
    for (const s of steps) byConnector.set(s.job.connector, [...(byConnector.get(s.job.connector) ?? []), s]);
    for (const [connector, mine] of byConnector) {
      const client = this.clients.get(connector);
      if (!client) {
        for (const s of mine) s.error = new TargetError(`no Graph connector ${connector}`, true);
        continue;
      }
      await this.lookups(client, mine);
      for (const s of mine) this.plan(s, deliveries[steps.indexOf(s)].id);
      await this.writes(client, mine);
    }
    return steps.map((s) =>
      s.error ? { ok: false, error: s.error } : { ok: true, result: s.result ?? 'unchanged' },
    );
  }

  /** Finds the events we hold no record of, by our shift id, in the mailbox the job names. */
  private async lookups(client: GraphClient, steps: Step[]): Promise<void> {
    const need = steps.filter((s) => !s.known);
    if (need.length === 0) return;
    const answers = await client.batch(
      need.map((s) => ({ method: 'GET', url: lookupUrl(s.job.upn, s.key) })),
    );
    need.forEach((s, i) => {
      const a = answers[i];
      if (a.status === 200) {
        const found = (a.body as { value?: Array<{ id: string }> })?.value ?? [];
        s.found = found[0]?.id ?? null;
      } else if (a.status === 404) s.found = null;
      else s.error = graphFailure(`lookup in ${s.job.upn}`, a);
    });
  }

  /** The writes one job needs, from what we know or found. */
  private plan(s: Step, deliveryId: number): void {
    if (s.error) return;
    const { job, known } = s;
    const events = (upn: string) => `/users/${encodeURIComponent(upn)}/events`;
    const eventId = known && known.upn === job.upn ? known.eventId : (s.found ?? undefined);
    if (known && known.upn !== job.upn)
      s.writes.push({
        kind: 'delete-old',
        request: { method: 'DELETE', url: `${events(known.upn)}/${known.eventId}` },
      });
    if (!job.event) {
      if (eventId)
        s.writes.push({
          kind: 'delete',
          request: { method: 'DELETE', url: `${events(job.upn)}/${eventId}` },
        });
      return;
    }
    if (eventId) {
      if (known && known.upn === job.upn && known.hash === job.hash) return;
      s.writes.push({
        kind: 'update',
        request: { method: 'PATCH', url: `${events(job.upn)}/${eventId}`, body: job.event },
      });
      return;
    }
    const body = {
      ...job.event,
      transactionId: transactionIdOf(s.key, deliveryId),
      singleValueExtendedProperties: [{ id: SHIFT_PROPERTY_ID, value: s.key }],
    };
    s.writes.push({ kind: 'create', request: { method: 'POST', url: events(job.upn), body } });
  }

  private async writes(client: GraphClient, steps: Step[]): Promise<void> {
    const flat = steps.flatMap((s) => s.writes.map((w) => ({ s, w })));
    const answers = flat.length ? await client.batch(flat.map((x) => x.w.request)) : [];
    const records: Array<{ connector: string; key: string; value: unknown }> = [];
    const byStep = new Map<Step, GraphAnswer[]>();
    flat.forEach((x, i) => {
      byStep.set(x.s, [...(byStep.get(x.s) ?? []), answers[i]]);
    });
    for (const s of steps) {
      if (s.error) continue;
      const got = byStep.get(s) ?? [];
      const results: string[] = [];
      let eventId = s.known && s.known.upn === s.job.upn ? s.known.eventId : (s.found ?? undefined);
      s.writes.forEach((w, i) => {
        const a = got[i];
        const gone = a.status === 404 && (w.kind === 'delete' || w.kind === 'delete-old');
        if (s.error) return;
        if (a.status >= 200 && a.status < 300) {
          if (w.kind === 'create') eventId = (a.body as { id?: string })?.id;
          results.push(`${w.kind} ${a.status}`);
        } else if (gone) results.push(`${w.kind}: already gone`);
        else {
          // An event deleted by hand: forget it, so the next attempt looks it up and creates it again.
          if (a.status === 404 && s.known)
            records.push({ connector: s.job.connector, key: stateKey(s.job.shiftId), value: null });
          s.error = graphFailure(`${w.kind} in ${s.job.upn}`, a);
        }
      });
      if (s.error) continue;
      s.result = results.join(', ') || (s.job.event ? 'unchanged' : 'nothing to delete');
      const value = s.job.event && eventId ? { upn: s.job.upn, eventId, hash: s.job.hash } : null;
      records.push({ connector: s.job.connector, key: stateKey(s.job.shiftId), value });
    }
    for (const connector of new Set(records.map((r) => r.connector)))
      await this.store.putState(
        connector,
        records.filter((r) => r.connector === connector),
      );
  }
}
