import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { NotificationPort } from '../../routing/notifications.ts';
import type { Alert, AlertStore } from '../../store/alert-port.ts';

/** What crosses instances: which alert and whom, never the alert itself (it may hold PHI). */
interface RelayedEvent {
  from: string;
  kind: 'notify' | 'changed';
  alertId: number;
  personId?: string;
}

export interface AlertRelayOptions {
  /** Publishes this instance's notifications. */
  publisher: Redis;
  /** A connection of its own: a subscribed Redis connection can do nothing else. */
  subscriber: Redis;
  /** The channel every instance of one site shares. @defaultValue 'switchboard:alerts' */
  channel?: string;
  /** This instance's name; its own events come back on the channel and are skipped. */
  instance: string;
  /** The clinicians connected to this instance (the ClinicianHub). */
  local: NotificationPort;
  alerts: AlertStore;
  log: Logger;
  /**
   * Sends every connected clinician their alerts again (the hub's replay): called once the subscription is
   * back after Redis was away, since what the other instances published meanwhile is gone.
   */
  resend?: () => Promise<void> | void;
}

/**
 * Live notifications across instances through Redis pub/sub: a clinician connected to instance B hears
 * of an alert instance A routed. Only the alert's id and the person travel; B reads the alert from the
 * shared store, which is the record of truth. Pub/sub delivers at most once: what was published while the
 * subscription was down is lost, so once it is back every clinician connected here is sent their alerts
 * again from the store, and an alert routed during a Redis outage still reaches the phone.
 */
export class AlertRelay implements NotificationPort {
  private readonly channel: string;

  constructor(private readonly options: AlertRelayOptions) {
    this.channel = options.channel ?? 'switchboard:alerts';
  }

  async start(): Promise<void> {
    const { subscriber } = this.options;
    subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.channel) void this.received(text);
    });
    await subscriber.subscribe(this.channel);
    let away = false;
    subscriber.on('close', () => {
      away = true;
    });
    subscriber.on('ready', () => {
      if (!away) return;
      away = false;
      void this.catchUp();
    });
  }

  /** After an outage: subscribed again first (confirmed), then the store's state, so nothing falls between. */
  private async catchUp(): Promise<void> {
    try {
      await this.options.subscriber.subscribe(this.channel);
      this.options.log.info('alert relay: Redis is back; sending connected clinicians their alerts again');
      await this.options.resend?.();
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'alert relay: could not catch up after Redis');
    }
  }

  notify(personId: string, alert: Alert): void {
    this.publish({ from: this.options.instance, kind: 'notify', alertId: alert.id, personId });
  }

  changed(alert: Alert): void {
    this.publish({ from: this.options.instance, kind: 'changed', alertId: alert.id });
  }

  /** The Redis connections' state ('ready' when both are up; ioredis retries on its own otherwise). */
  status(): string {
    const { publisher, subscriber } = this.options;
    return publisher.status === 'ready' && subscriber.status === 'ready'
      ? 'ready'
      : `${publisher.status}/${subscriber.status}`;
  }

  async stop(): Promise<void> {
    this.options.subscriber.disconnect();
    this.options.publisher.disconnect();
  }

  private publish(event: RelayedEvent): void {
    this.options.publisher.publish(this.channel, JSON.stringify(event)).catch((err: Error) => {
      this.options.log.warn({ err: err.message }, 'alert relay: could not publish to Redis');
    });
  }

  private async received(text: string): Promise<void> {
    try {
      const event = JSON.parse(text) as RelayedEvent;
      if (event.from === this.options.instance) return;
      const alert = await this.options.alerts.get(event.alertId);
      if (!alert) return;
      if (event.kind === 'notify' && event.personId) this.options.local.notify(event.personId, alert);
      else if (event.kind === 'changed') this.options.local.changed(alert);
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'alert relay: an event could not be handled');
    }
  }
}
