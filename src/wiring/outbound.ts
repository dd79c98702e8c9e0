/**
 * Wires the outbound channels into a running Switchboard: the worker on the store's outbox, the pager
 * channel and PCD-05 status reports to IHE PCD alarm reporters. Both are NoticePlanners: the pages and
 * reports an alert change causes are written by the alert store with that change, and the worker sends
 * them once committed. main.ts calls installOutboundChannels once and stops it last.
 */
import type { Logger } from 'pino';
import { type Backoff, DeliveryWorker } from '../delivery/outbox/worker.ts';
import { CarrierGateway, type CarrierTable } from '../delivery/paging/carriers.ts';
import { PagerChannel, type PagerContact } from '../delivery/paging/pager-channel.ts';
import { type PcdReporterConfig, PcdStatusReporter } from '../delivery/pcd/status-reporter.ts';
import type { NoticePlans } from '../routing/notifications.ts';
import type { AlertStore } from '../store/alert-port.ts';
import type { OutboxStore } from '../store/outbox-port.ts';

export interface OutboundChannelsOptions {
  outbox: OutboxStore;
  paging: CarrierTable & { enabled: boolean; mode?: 'always' | 'appOffline'; retry: Backoff };
  pcdReporters: readonly PcdReporterConfig[];
  /** How Switchboard names itself in MSH-3/MSH-4. */
  application: string;
  facility: string;
  contactsOf: (personId: string) => readonly PagerContact[];
  nameOf: (personId: string) => string | undefined;
  /** A person's title (RN, MD) for PCD-05 PRT-6, when the directory has one. */
  titleOf?: (personId: string) => string | undefined;
  isAppConnected?: (personId: string) => boolean;
  alerts: AlertStore;
  /** The planners the alert service and the escalation engine ask (main.ts's NoticePlans). */
  plans: NoticePlans;
  now: () => Date;
  log: Logger;
  /** Poll the outbox on a timer. Behaviour tests pass false and call `worker.runDue()`. @defaultValue true */
  poll?: boolean;
  pollMs?: number;
  fetchImpl?: typeof fetch;
}

export interface OutboundChannels {
  outbox: OutboxStore;
  worker: DeliveryWorker;
  pager: PagerChannel;
  pcdStatus: PcdStatusReporter;
  /**
   * Starts sending, once every channel's sender is registered (the first pass finds what was pending
   * before a restart; a row of an unknown channel would go dead).
   */
  start(): void;
  stop(): Promise<void>;
}

export function installOutboundChannels(o: OutboundChannelsOptions): OutboundChannels {
  const worker = new DeliveryWorker({
    outbox: o.outbox,
    now: o.now,
    log: o.log.child({ part: 'outbox' }),
    backoff: o.paging.retry,
  });
  const gateway = new CarrierGateway(() => o.paging.carriers, o.fetchImpl);
  const pager = new PagerChannel({
    table: () => o.paging,
    contactsOf: o.contactsOf,
    mode: o.paging.mode,
    isAppConnected: o.isAppConnected,
    worker,
    gateway,
    alerts: o.alerts,
    now: o.now,
    log: o.log.child({ part: 'paging' }),
  });
  if (o.paging.enabled) o.plans.add(pager);
  const pcdStatus = new PcdStatusReporter({
    reporters: o.pcdReporters,
    worker,
    alerts: o.alerts,
    application: o.application,
    facility: o.facility,
    nameOf: o.nameOf,
    titleOf: o.titleOf,
    now: o.now,
    log: o.log.child({ part: 'pcd-05' }),
  });
  if (o.pcdReporters.length) o.plans.add(pcdStatus);
  return {
    outbox: o.outbox,
    worker,
    pager,
    pcdStatus,
    start() {
      if (o.poll !== false) worker.start(o.pollMs ?? 1000);
      else void worker.runDue(true);
    },
    async stop() {
      await worker.stop();
      gateway.close();
    },
  };
}
