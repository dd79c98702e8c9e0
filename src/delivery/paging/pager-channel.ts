/**
 * The pager channel. When the routing core notifies a person, every pager and email contact they have gets
 * a page through its carrier: `notified` says which pages (a NoticePlanner), and the alert store writes
 * them to the outbox with the recipient row that caused them. The outbox worker sends each, retries with
 * backoff and finally dead-letters it, and each outcome lands on the alert's timeline ('paged',
 * 'retrying', 'failed'). The page's messageId stays the same across attempts: a carrier that sees it twice
 * (a page sent whose 'sent' mark a crash lost) can tell.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Alert, AlertStore } from '../../store/alert-port.ts';
import type { Delivery, NewDelivery } from '../../store/outbox-port.ts';
import type { DeliveryOutcome, DeliveryWorker } from '../outbox/worker.ts';
import { type CarrierGateway, type CarrierTable, carrierFor, type PageOrder } from './carriers.ts';

export const PAGE_CHANNEL = 'page';

export interface PagerContact {
  kind: string;
  address: string;
  carrier?: string;
}

export interface PagerChannelDeps {
  /** The carriers and the number table, read at each page (config may be reloaded). */
  table: () => CarrierTable;
  /** A person's contact points (directory). */
  contactsOf: (personId: string) => readonly PagerContact[];
  /** `appOffline`: page only people who have no clinician page open right now. @defaultValue always */
  mode?: 'always' | 'appOffline';
  isAppConnected?: (personId: string) => boolean;
  worker: DeliveryWorker;
  gateway: CarrierGateway;
  alerts: AlertStore;
  now: () => Date;
  log: Logger;
}

/** A NoticePlanner (routing/notifications.ts), by shape: delivery does not import routing. */
export class PagerChannel {
  constructor(private readonly deps: PagerChannelDeps) {
    deps.worker.register(PAGE_CHANNEL, {
      send: (d) => deps.gateway.send(d.payload as PageOrder),
      onOutcome: (d, o) => this.record(d, o),
    });
  }

  /** NoticePlanner: a page for each pager/email contact of the person. */
  notified(personId: string, alert: Alert): NewDelivery[] {
    const { deps } = this;
    if (alert.status !== 'open') return [];
    if (deps.mode === 'appOffline' && deps.isAppConnected?.(personId)) return [];
    const table = deps.table();
    const pages: NewDelivery[] = [];
    for (const contact of deps.contactsOf(personId)) {
      if (contact.kind !== 'pager' && contact.kind !== 'email') continue;
      const carrier = carrierFor(contact, table);
      if (!carrier) {
        if (table.carriers.length === 0) return []; // paging not set up: nothing to say on every alert
        // A note on the timeline, not a notice: nothing could send it.
        void deps.alerts
          .addEvent({
            alertId: alert.id,
            at: deps.now(),
            kind: 'failed',
            personId,
            detail: `no paging carrier serves ${contact.kind} ${contact.address}${contact.carrier ? ` (carrier ${contact.carrier} is not configured)` : ''}`,
          })
          .catch((err) => deps.log.error({ err, alertId: alert.id }, 'could not note a missing carrier'));
        continue;
      }
      const order: PageOrder = {
        carrier: carrier.name,
        contactKind: contact.kind,
        address: contact.address,
        text: pageText(alert),
        messageId: `sb-${alert.id}-${randomUUID().slice(0, 8)}`,
        personId,
        priority: alert.priority,
      };
      pages.push({
        channel: PAGE_CHANNEL,
        target: `${carrier.name}:${contact.address}`,
        payload: order,
        alertId: alert.id,
      });
    }
    return pages;
  }

  private async record(d: Delivery, o: DeliveryOutcome): Promise<void> {
    if (d.alertId === null) return;
    const order = d.payload as PageOrder;
    const what = `page to ${order.contactKind} ${order.address} via ${order.carrier}`;
    const base = { alertId: d.alertId, at: this.deps.now(), personId: order.personId };
    if (o.kind === 'sent')
      await this.deps.alerts.addEvent({ ...base, kind: 'paged', detail: `${what}: ${o.result}` });
    else if (o.kind === 'retry')
      await this.deps.alerts.addEvent({
        ...base,
        kind: 'retrying',
        detail: `${what}, attempt ${o.attempt} failed (${o.error}); next try ${o.nextAt.toISOString()}`,
      });
    else
      await this.deps.alerts.addEvent({
        ...base,
        kind: 'failed',
        detail: `${what} dead-lettered after ${o.attempt} attempt(s): ${o.error}`,
      });
  }
}

/**
 * The page text: priority, title, then where and the body. First line short (a mail subject, a pager's
 * headline); PHI is limited to what the alert's own title and body carry.
 */
export function pageText(alert: Alert): string {
  const where = alert.patient?.where ? `${alert.patient.where}: ` : '';
  const head = `${alert.priority === 'urgent' || alert.priority === 'high' ? `[${alert.priority.toUpperCase()}] ` : ''}${alert.title}`;
  return `${head}\n${where}${alert.body}`.trim() + ` #${alert.id}`;
}
