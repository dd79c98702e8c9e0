import type { Logger } from 'pino';
import type { Alert, Notices, RecipientState } from '../store/alert-port.ts';
import type { NewDelivery } from '../store/outbox-port.ts';

/**
 * How the routing core reaches devices without knowing them: delivery implements this port (the WebSocket
 * hub, pagers, SIP); main.ts wires it. Calls must not throw or block: delivery keeps its own retries.
 */
export interface NotificationPort {
  /** The person should see this alert now (newly notified, or escalated to again). */
  notify(personId: string, alert: Alert): void;
  /** The alert changed (someone answered, it escalated, it was updated or closed): refresh whoever has it. */
  changed(alert: Alert): void;
}

/**
 * The durable notices a change causes (a page, a PCD-05 report, a WCTP status or reply). Each returns the
 * outbox rows to write, and the alert store writes them in the same transaction as the change, so a crash
 * keeps both or neither. Called inside that write: synchronous, no I/O, and whatever it throws is logged
 * and drops only its own notices (see NoticePlans).
 */
export interface NoticePlanner {
  /** An alert was raised (a WCTP sender asked to hear QUEUED). */
  raised?(alert: Alert): readonly NewDelivery[];
  /** The person should see this alert now (newly notified, escalated to, the failsafe). */
  notified?(personId: string, alert: Alert): readonly NewDelivery[];
  /** A recipient's state moved (delivered, read, accepted, rejected, acknowledged). */
  recipientChanged?(alert: Alert, personId: string, state: RecipientState): readonly NewDelivery[];
  /** The alert as it is after a change (acknowledged, with the reply chosen; closed by its source). */
  alertChanged?(alert: Alert): readonly NewDelivery[];
  /** Nobody could be reached: every step and the failsafe found no one to notify. */
  unreachable?(alert: Alert): readonly NewDelivery[];
}

/** Every planner, asked in turn; one that throws is logged and leaves the change and the others alone. */
export class NoticePlans {
  private readonly planners: NoticePlanner[] = [];

  constructor(private readonly log: Logger) {}

  add(planner: NoticePlanner): void {
    this.planners.push(planner);
  }

  raised(alert: Alert): Notices {
    return this.collect(alert.id, (p) => p.raised?.(alert));
  }

  notified(personId: string, alert: Alert): Notices {
    return this.collect(alert.id, (p) => p.notified?.(personId, alert));
  }

  recipientChanged(alert: Alert, personId: string, state: RecipientState): Notices {
    return this.collect(alert.id, (p) => p.recipientChanged?.(alert, personId, state));
  }

  alertChanged(alert: Alert): Notices {
    return this.collect(alert.id, (p) => p.alertChanged?.(alert));
  }

  unreachable(alert: Alert): Notices {
    return this.collect(alert.id, (p) => p.unreachable?.(alert));
  }

  private collect(alertId: number, ask: (p: NoticePlanner) => readonly NewDelivery[] | undefined): Notices {
    const all: NewDelivery[] = [];
    for (const p of this.planners) {
      try {
        all.push(...(ask(p) ?? []));
      } catch (err) {
        this.log.error({ err, alertId }, 'a notice could not be planned');
      }
    }
    return all;
  }
}

/** Sources that want to hear of alert changes register here (notices go through NoticePlans). */
export interface AlertObserver {
  recipientChanged?(alert: Alert, personId: string, state: RecipientState): void;
  alertChanged?(alert: Alert): void;
}

export class NotificationFanout implements NotificationPort {
  private readonly ports: NotificationPort[] = [];

  add(port: NotificationPort): void {
    this.ports.push(port);
  }

  notify(personId: string, alert: Alert): void {
    for (const p of this.ports) p.notify(personId, alert);
  }

  changed(alert: Alert): void {
    for (const p of this.ports) p.changed(alert);
  }
}
