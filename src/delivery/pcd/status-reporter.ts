/**
 * Sends PCD-05 alert status back to IHE PCD alarm reporters. It is a NoticePlanner: for each change of an
 * alert raised from PCD-04 (alert.context.pcd) whose reporter is configured and wants that status, it builds
 * the ORA^R41 at once and the alert store writes it to the outbox with the change. The outbox worker sends it
 * over MLLP to the reporter's own listener and retries with backoff; a reporter that refuses it (AR/CR) or
 * stays unreachable leaves a dead letter and a 'failed' entry on the alert's timeline.
 *
 * What is reported (TF-2 B.10.2 PRT-3.2):
 *   RECEIVED       a clinician was notified (only when the reporter's `statuses` lists it)
 *   DELIVERED, READ, ACCEPTED (also for an acknowledgement), REJECTED   a clinician's device and answer
 *   UNDELIVERABLE  every step and the failsafe found nobody to notify
 *   CANCELLED      the alert was closed (by its source) before anyone answered
 * and only when the reporter asked: its PCD-04 said MSH-16 other than NE (unless `when: always`), and its
 * status filter OBX, if it sent one, names the status (CP-PCD-154).
 *
 * A retry of a rev10 report gets a new MSH-7 and MSH-10 and is otherwise the same message (CP-PCD-157), so
 * the reporter can acknowledge each transmission on its own; a legacy report is sent again byte for byte.
 */
import type { Logger } from 'pino';
import { controlIdSource } from '../../protocols/hl7/control-id.ts';
import { escape as escapeHl7, formatHl7Time, STANDARD_DELIMITERS } from '../../protocols/hl7/index.ts';
import type { Alert, AlertStore, RecipientState } from '../../store/alert-port.ts';
import type { Delivery, NewDelivery } from '../../store/outbox-port.ts';
import { MllpClient, readAck } from '../mllp/client.ts';
import { type DeliveryOutcome, type DeliveryWorker, PermanentDeliveryError } from '../outbox/worker.ts';
import { type AlertStatusWord, buildAlertStatusReport, type ReportShape } from './alert-status.ts';

const nextControlId = controlIdSource('SBR');

export type ReportedStatus =
  | 'received'
  | 'undeliverable'
  | 'delivered'
  | 'read'
  | 'accepted'
  | 'rejected'
  | 'cancelled';

/** Every status but RECEIVED, which a reporter must ask for (it doubles the traffic of a large group). */
export const DEFAULT_REPORTED: readonly ReportedStatus[] = [
  'undeliverable',
  'delivered',
  'read',
  'accepted',
  'rejected',
  'cancelled',
];

/** One alarm reporter that wants PCD-05, found by the MSH-3 (and optionally MSH-4) of its PCD-04. */
export interface PcdReporterConfig {
  application: string;
  facility?: string;
  host: string;
  port: number;
  /** Which statuses to report. @defaultValue DEFAULT_REPORTED */
  statuses?: ReportedStatus[];
  /**
   * `asked`: only for alerts whose PCD-04 did not say MSH-16 NE (the TF's rule). `always`: also when it did,
   * for reporters that set NE but still want status. @defaultValue asked
   */
  when?: 'always' | 'asked';
  /** Which revision of the TF the reporter follows. @defaultValue rev10 */
  profile?: ReportShape;
  /** @defaultValue 10000 */
  ackTimeoutMs?: number;
}

/** The part of alert.context.pcd this needs (written by src/routing/sources/pcd.ts). */
interface PcdContext {
  /** Absent on alerts raised before identities were kept: their fillerOrder is the identity then. */
  identity?: string;
  fillerOrder: string;
  serviceId: string;
  reporter: { application: string; facility: string; applicationId?: string; facilityId?: string };
  controlId: string;
  applicationAckType: string;
  statusFilter?: string[];
  patientSegments?: string[];
  version: string;
}

interface StatusPayload {
  host: string;
  port: number;
  ackTimeoutMs: number;
  message: string;
  /** Give every retry a new MSH-7 and MSH-10 (CP-PCD-157). */
  freshOnRetry: boolean;
  status: AlertStatusWord;
  personId: string | null;
  reporter: string;
}

const ANSWERS: Partial<Record<RecipientState, { word: AlertStatusWord; status: ReportedStatus }>> = {
  delivered: { word: 'DELIVERED', status: 'delivered' },
  read: { word: 'READ', status: 'read' },
  accepted: { word: 'ACCEPTED', status: 'accepted' },
  // An acknowledgement on the clinician's page is an acceptance of the alarm as far as the reporter is concerned.
  acknowledged: { word: 'ACCEPTED', status: 'accepted' },
  rejected: { word: 'REJECTED', status: 'rejected' },
};

export const PCD_STATUS_CHANNEL = 'pcd-status';

export interface PcdStatusReporterDeps {
  reporters: readonly PcdReporterConfig[];
  worker: DeliveryWorker;
  alerts: AlertStore;
  application: string;
  facility: string;
  nameOf: (personId: string) => string | undefined;
  /** The person's provider type for PRT-6 (the directory's title, e.g. RN), when known. */
  titleOf?: (personId: string) => string | undefined;
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

  /** NoticePlanner: a clinician was notified; RECEIVED once per person, for reporters that list it. */
  notified(personId: string, alert: Alert): NewDelivery[] {
    return this.plan(alert, 'RECEIVED', 'received', personId, `pcd:received:${alert.id}:${personId}`);
  }

  /** NoticePlanner: the PCD-05 report a recipient's new state causes. */
  recipientChanged(alert: Alert, personId: string, state: RecipientState): NewDelivery[] {
    const mapped = ANSWERS[state];
    return mapped ? this.plan(alert, mapped.word, mapped.status, personId) : [];
  }

  /** NoticePlanner: closed by its source while nobody had answered: CANCELLED. */
  alertChanged(alert: Alert): NewDelivery[] {
    if (alert.status !== 'closed' || alert.acknowledgedBy) return [];
    return this.plan(alert, 'CANCELLED', 'cancelled', null, `pcd:cancelled:${alert.id}`);
  }

  /** NoticePlanner: nobody could be reached: UNDELIVERABLE. */
  unreachable(alert: Alert): NewDelivery[] {
    return this.plan(alert, 'UNDELIVERABLE', 'undeliverable', null, `pcd:undeliverable:${alert.id}`);
  }

  private plan(
    alert: Alert,
    word: AlertStatusWord,
    status: ReportedStatus,
    personId: string | null,
    onceKey?: string,
  ): NewDelivery[] {
    const pcd = alert.context.pcd as PcdContext | undefined;
    if (!pcd) return [];
    const reporter = this.reporterFor(pcd);
    if (!reporter || !wants(reporter, pcd, status, word)) return [];
    const shape = reporter.profile ?? 'rev10';
    const controlId = nextControlId();
    const message = buildAlertStatusReport({
      shape,
      application: this.deps.application,
      facility: this.deps.facility,
      reporter: {
        application: pcd.reporter.applicationId || escapeHl7(pcd.reporter.application, STANDARD_DELIMITERS),
        facility: pcd.reporter.facilityId || escapeHl7(pcd.reporter.facility, STANDARD_DELIMITERS),
      },
      // MSH-10 is at most 20 characters before HL7 v2.6: a UUID would be truncated by older receivers.
      controlId,
      // The report's own identifier stays the same across retries; only MSH-7 and MSH-10 change.
      reportId: controlId,
      alertControlId: pcd.controlId,
      identity: pcd.identity ?? pcd.fillerOrder,
      fillerOrder: pcd.fillerOrder,
      serviceId: pcd.serviceId,
      patientSegments: pcd.patientSegments,
      status: word,
      person: personId
        ? { id: personId, name: this.deps.nameOf(personId), providerType: this.deps.titleOf?.(personId) }
        : undefined,
      participationId: personId ? `${alert.id}.${personId}` : `${alert.id}`,
      at: this.deps.now(),
      version: pcd.version,
    });
    const payload: StatusPayload = {
      host: reporter.host,
      port: reporter.port,
      ackTimeoutMs: reporter.ackTimeoutMs ?? 10_000,
      message,
      freshOnRetry: shape === 'rev10',
      status: word,
      personId,
      reporter: pcd.reporter.application,
    };
    return [
      {
        channel: PCD_STATUS_CHANNEL,
        target: `mllp:${reporter.host}:${reporter.port}`,
        payload,
        alertId: alert.id,
        ...(onceKey ? { onceKey } : {}),
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
    const message = d.attempts > 0 && p.freshOnRetry ? retransmission(p.message, this.deps.now()) : p.message;
    const client = new MllpClient({ host: p.host, port: p.port, ackTimeoutMs: p.ackTimeoutMs });
    try {
      await client.connect();
      const ack = readAck(await client.send(message));
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
    const what = `PCD-05 ${p.status}${p.personId ? ` (${p.personId})` : ''} to ${p.reporter}`;
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

/** Whether the reporter wants this status for this alert. */
function wants(reporter: PcdReporterConfig, pcd: PcdContext, status: ReportedStatus, word: AlertStatusWord) {
  if (!(reporter.statuses ?? DEFAULT_REPORTED).includes(status)) return false;
  // TF-2 B.1 MSH-16: NE in the PCD-04 says no PCD-05 is to be sent; anything else asks for them.
  if ((reporter.when ?? 'asked') === 'asked' && pcd.applicationAckType.toUpperCase() === 'NE') return false;
  return pcd.statusFilter === undefined || pcd.statusFilter.includes(word);
}

/** The same report with a new MSH-7 and MSH-10, for a retransmission (CP-PCD-157). */
export function retransmission(message: string, now: Date): string {
  const [msh = '', ...rest] = message.split('\r');
  const fields = msh.split('|');
  fields[6] = formatHl7Time(now);
  fields[9] = nextControlId();
  return [fields.join('|'), ...rest].join('\r');
}
