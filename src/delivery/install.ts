/**
 * Wires the outbound channels (pages, PCD-05 reports) into a running Switchboard: the durable outbox and its worker,
 * the pager channel (a NotificationPort beside the clinician app) and PCD-05 status reports to IHE PCD
 * alarm reporters (an AlertObserver). main.ts calls installOutboundChannels once and stops it last.
 */
import type { Logger } from 'pino';
import type { Alert, AlertStore, RecipientState } from '../store/alert-port.ts';
import { SqliteOutbox } from './outbox/outbox.ts';
import { type Backoff, DeliveryWorker } from './outbox/worker.ts';
import { CarrierGateway, type CarrierTable } from './paging/carriers.ts';
import { PagerChannel, type PagerContact } from './paging/pager-channel.ts';
import { type PcdReporterConfig, PcdStatusReporter } from './pcd/status-reporter.ts';

export interface OutboundChannelsOptions {
  dataDir: string;
  paging: CarrierTable & { enabled: boolean; mode?: 'always' | 'appOffline'; retry: Backoff };
  pcdReporters: readonly PcdReporterConfig[];
  /** How Switchboard names itself in MSH-3/MSH-4. */
  application: string;
  facility: string;
  contactsOf: (personId: string) => readonly PagerContact[];
  nameOf: (personId: string) => string | undefined;
  isAppConnected?: (personId: string) => boolean;
  alerts: AlertStore;
  /** The fanout the routing core notifies (main.ts's NotificationFanout). */
  notifier: {
    add(port: { notify(personId: string, alert: Alert): void; changed(alert: Alert): void }): void;
  };
  /** AlertService.observe. */
  observe: (o: { recipientChanged?(alert: Alert, personId: string, state: RecipientState): void }) => void;
  now: () => Date;
  log: Logger;
  /** Poll the outbox on a timer. Behaviour tests pass false and call `worker.runDue()`. @defaultValue true */
  poll?: boolean;
  pollMs?: number;
  fetchImpl?: typeof fetch;
}

export interface OutboundChannels {
  outbox: SqliteOutbox;
  worker: DeliveryWorker;
  pager: PagerChannel;
  pcdStatus: PcdStatusReporter;
  stop(): Promise<void>;
}

export function installOutboundChannels(o: OutboundChannelsOptions): OutboundChannels {
  const outbox = new SqliteOutbox(o.dataDir);
  const worker = new DeliveryWorker({
    outbox,
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
  if (o.paging.enabled) o.notifier.add(pager);
  const pcdStatus = new PcdStatusReporter({
    reporters: o.pcdReporters,
    worker,
    alerts: o.alerts,
    application: o.application,
    facility: o.facility,
    nameOf: o.nameOf,
    now: o.now,
    log: o.log.child({ part: 'pcd-05' }),
  });
  if (o.pcdReporters.length) o.observe(pcdStatus);
  if (o.poll !== false) worker.start(o.pollMs ?? 1000);
  return {
    outbox,
    worker,
    pager,
    pcdStatus,
    async stop() {
      await worker.stop();
      gateway.close();
      outbox.close();
    },
  };
}
