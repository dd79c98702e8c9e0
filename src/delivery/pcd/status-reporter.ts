/**
 * Sends PCD-05 alert status back to IHE PCD alarm reporters. For every recipient state change of an alert
 * raised from PCD-04 (alert.context.pcd) whose reporter is configured and asked for it, `recipientChanged`
 * (a NoticePlanner, by shape) builds the ORA^R41 at once (so every retry sends the very same message, same
 * MSH-10: the reporter's idempotency key) and the alert store writes it to the outbox with the change.
 * The outbox worker sends it over MLLP to the reporter's own listener
 * and retries with backoff; a reporter that refuses it (AR/CR) or stays unreachable leaves a dead letter
 * and a 'failed' entry on the alert's timeline.
 */
import type { Logger } from 'pino';
import { controlIdSource } from '../../protocols/hl7/control-id.ts';
import type { Alert, AlertStore, RecipientState } from '../../store/alert-port.ts';
import type { Delivery, NewDelivery } from '../../store/outbox-port.ts';
import { MllpClient, readAck } from '../mllp/client.ts';
import { type DeliveryOutcome, type DeliveryWorker, PermanentDeliveryError } from '../outbox/worker.ts';
import { type AlertStatusWord, buildAlertStatusReport } from './alert-status.ts';

const nextControlId = controlIdSource('SBR');

export type ReportedStatus = 'delivered' | 'read' | 'accepted' | 'rejected';

/** One alarm reporter that wants PCD-05, found by the MSH-3 (and optionally MSH-4) of its PCD-04. */
export interface PcdReporterConfig {
  application: string;
  facility?: string;
  host: string;
  port: number;
  /** Which statuses to report. @defaultValue all four */
  statuses?: ReportedStatus[];
  /**
   * `always`: every status the list names. `asked`: only for alerts whose PCD-04 asked for application
   * acknowledgements (MSH-16 AL, or SU/ER), for reporters that say so per message. @defaultValue always
   */
  when?: 'always' | 'asked';
  /** @defaultValue 10000 */
  ackTimeoutMs?: number;
}

/** The part of alert.context.pcd this needs (written by src/routing/sources/pcd.ts). */
interface PcdContext {
  fillerOrder: string;
  serviceId: string;
  reporter: { application: string; facility: string };
  controlId: string;
  applicationAckType: string;
  version: string;
}

interface StatusPayload {
  host: string;
  port: number;
  ackTimeoutMs: number;
  message: string;
  status: AlertStatusWord;
  personId: string;
  reporter: string;
}

const WORDS: Partial<Record<RecipientState, { word: AlertStatusWord; status: ReportedStatus }>> = {
  delivered: { word: 'Delivered', status: 'delivered' },
  read: { word: 'Read', status: 'read' },
  accepted: { word: 'Accepted', status: 'accepted' },
  // An acknowledgement on the clinician's page is an acceptance of the alarm as far as the reporter is concerned.
  acknowledged: { word: 'Accepted', status: 'accepted' },
  rejected: { word: 'Rejected', status: 'rejected' },
};

export const PCD_STATUS_CHANNEL = 'pcd-status';

export interface PcdStatusReporterDeps {
  reporters: readonly PcdReporterConfig[];
  worker: DeliveryWorker;
  alerts: AlertStore;
  application: string;
  facility: string;
  nameOf: (personId: string) => string | undefined;
  now: () => Date;
  log: Logger;
}

export class PcdStatusReporter {
  constructor(private readonly deps: PcdStatusReporterDeps) {
    deps.worker.register(PCD_STATUS_CHANNEL, {
      send: (d) => this.send(d),
      onOutcome: (d, o) => this.record(d, o),
    });
  }

  /** NoticePlanner: the PCD-05 report a recipient's new state causes, if its reporter wants it. */
  recipientChanged(alert: Alert, personId: string, state: RecipientState): NewDelivery[] {
    const pcd = alert.context.pcd as PcdContext | undefined;
    const mapped = WORDS[state];
    if (!pcd || !mapped) return [];
    const reporter = this.reporterFor(pcd);
    if (!reporter) return [];
    if (!(reporter.statuses ?? ['delivered', 'read', 'accepted', 'rejected']).includes(mapped.status))
      return [];
    if ((reporter.when ?? 'always') === 'asked' && !['AL', 'SU', 'ER'].includes(pcd.applicationAckType))
      return [];
    const now = this.deps.now();
    const message = buildAlertStatusReport({
      application: this.deps.application,
      facility: this.deps.facility,
      reporter: pcd.reporter,
      // MSH-10 is at most 20 characters before HL7 v2.6: a UUID would be truncated by older receivers.
      controlId: nextControlId(),
      alertControlId: pcd.controlId,
      fillerOrder: pcd.fillerOrder,
      serviceId: pcd.serviceId,
      status: mapped.word,
      person: { id: personId, name: this.deps.nameOf(personId) },
      at: now,
      version: pcd.version,
    });
    const payload: StatusPayload = {
      host: reporter.host,
      port: reporter.port,
      ackTimeoutMs: reporter.ackTimeoutMs ?? 10_000,
      message,
      status: mapped.word,
      personId,
      reporter: pcd.reporter.application,
    };
    return [
      {
        channel: PCD_STATUS_CHANNEL,
        target: `mllp:${reporter.host}:${reporter.port}`,
        payload,
        alertId: alert.id,
      },
    ];
  }

  private reporterFor(pcd: PcdContext): PcdReporterConfig | undefined {
    return this.deps.reporters.find(
      (r) =>
        r.application.toLowerCase() === pcd.reporter.application.toLowerCase() &&
        (!r.facility || r.facility.toLowerCase() === pcd.reporter.facility.toLowerCase()),
    );
  }

  /** One attempt: connect, send, read the reporter's ACK. */
  private async send(d: Delivery): Promise<string> {
    const p = d.payload as StatusPayload;
    const client = new MllpClient({ host: p.host, port: p.port, ackTimeoutMs: p.ackTimeoutMs });
    try {
      await client.connect();
      const ack = readAck(await client.send(p.message));
      if (ack.code === 'AA' || ack.code === 'CA') return `${ack.code} from ${p.reporter}`;
      const why = `${p.reporter} answered ${ack.code || 'no MSA'}${ack.text ? `: ${ack.text}` : ''}`;
      // AR/CR: the reporter refuses this message; sending it again cannot help.
      if (ack.code === 'AR' || ack.code === 'CR') throw new PermanentDeliveryError(why);
      throw new Error(why);
    } finally {
      await client.close().catch(() => {});
    }
  }

  private async record(d: Delivery, o: DeliveryOutcome): Promise<void> {
    if (d.alertId === null) return;
    const p = d.payload as StatusPayload;
    const what = `PCD-05 ${p.status} (${p.personId}) to ${p.reporter}`;
    const at = this.deps.now();
    if (o.kind === 'sent')
      await this.deps.alerts.addEvent({
        alertId: d.alertId,
        at,
        kind: 'reported',
        personId: null,
        detail: `${what}: ${o.result}`,
      });
    else if (o.kind === 'dead')
      await this.deps.alerts.addEvent({
        alertId: d.alertId,
        at,
        kind: 'failed',
        personId: null,
        detail: `${what} gave up after ${o.attempt} attempt(s): ${o.error}`,
      });
  }
}
