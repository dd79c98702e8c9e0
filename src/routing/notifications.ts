import type { Alert, RecipientState } from '../store/alert-port.ts';

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

/** Sources that want status back (WCTP StatusInfo, PCD-05 ORA^R41) register here. */
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
