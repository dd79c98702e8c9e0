import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AlertRelay } from '../delivery/app/alert-relay.ts';
import type { NotificationPort } from '../routing/notifications.ts';
import type { AlertStore } from '../store/alert-port.ts';

/**
 * This Switchboard among the instances of a cluster: the host, the process id, and a few random bytes
 * (two started in one process, as tests do, are two instances).
 */
export function instanceName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * Connects the clinician hub to the other instances through Redis (`redis.url`). The connections retry
 * on their own while Redis is away; when it is back, live frames resume and `resend` catches up.
 */
export async function startAlertRelay(deps: {
  url: string;
  channel: string;
  /** This instance's name (instanceName()). */
  instance: string;
  local: NotificationPort;
  alerts: AlertStore;
  log: Logger;
  /** Sends every connected clinician their alerts again, after Redis was away. */
  resend?: () => Promise<void> | void;
}): Promise<AlertRelay> {
  const options = { lazyConnect: true, maxRetriesPerRequest: 1 };
  const publisher = new Redis(deps.url, options);
  const subscriber = new Redis(deps.url, options);
  for (const r of [publisher, subscriber])
    r.on('error', (err: Error) => deps.log.warn({ err: err.message }, 'Redis connection'));
  await Promise.all([publisher.connect(), subscriber.connect()]);
  const relay = new AlertRelay({
    publisher,
    subscriber,
    channel: deps.channel,
    instance: deps.instance,
    local: deps.local,
    alerts: deps.alerts,
    log: deps.log,
    resend: deps.resend,
  });
  await relay.start();
  return relay;
}
