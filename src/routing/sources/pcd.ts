/**
 * IHE PCD alarms (Alarm Communication Management): the routing step for PCD-04 ORU^R40 from an Alert
 * Reporter (patient monitor gateway, infusion pump server). Switchboard is the Alert Manager.
 *
 * One alert per alert instance, one alert per message (further OBR groups are evidence). The onset message
 * raises it: the current rules pick the recipients (analysts route alarms like any message, `type: ORU,
 * trigger: R40`), with the nurse covering the bed as the fallback when no rule names anyone. Later phases
 * find it by the alert's identity (pcd-identity.ts: OBR-29.2 under Rev. 10, OBR-3 for older reporters) and
 * update it in place (continue, update, escalate, deescalate, inactivate, acknowledged); `stop` pauses it
 * (it stays open: the TF lets the same alert start again); `end`, `reset` of a latched alarm and the alarm
 * switched off close it, which drops it from every device. A watchdog (keep-alive) raises nothing.
 *
 * What the reporter needs for PCD-05 is kept in `alert.context.pcd` as the onset message gave it (the
 * alert's identity, the onset MSH-10 that MSA-2 must carry, MSH-16, the reporter's full MSH-3/4), with the
 * states of the latest message; the status report itself is delivery's job (src/delivery/pcd), planned
 * with each alert change.
 */
import { type Hl7Message, segmentToStandardEncoding, toStandardEncoding } from '../../protocols/hl7/index.ts';
import type { Alert } from '../../store/alert-port.ts';
import type { InboundEvent } from '../inbound-port.ts';
import type { MessageInterpreter, RouteContext } from '../interpreter.ts';
import type { EscalationPolicy, RecipientSpec } from '../rules/types.ts';
import {
  type AlarmPhase,
  hasAlertGroup,
  isOnset,
  isPcdAlarm,
  type PcdAlarm,
  readPcdAlarm,
} from './pcd-alarm.ts';
import { bodyOf, describeStates, titleOf, withWhere } from './pcd-alert-text.ts';
import { alertIdentity, type PcdProfile } from './pcd-identity.ts';

export interface PcdOptions {
  /** Who hears an alarm no rule routes: staff in this role covering the bed (else the unit). @defaultValue nurse */
  fallbackRole?: string;
  /**
   * Which revision of the TF a reporter (MSH-3.1, MSH-4.1) follows, for how it names its alerts.
   * @defaultValue rev10 for every reporter
   */
  profileOf?: (application: string, facility: string) => PcdProfile;
}

/** What PCD-05 needs to answer the reporter about this alert; kept in alert.context.pcd. */
export interface PcdAlertContext {
  /** The alert's identity (an EI at component level, standard encoding; see pcd-identity.ts). */
  identity: string;
  /** OBR-3 of the message that raised the alert, standard encoding (older reporters match PCD-05 on it). */
  fillerOrder: string;
  serviceId: string;
  /**
   * MSH-3.1 and MSH-4.1, which pick the reporter's configuration, and the whole MSH-3 and MSH-4 (with
   * their EUI-64 parts, standard encoding) that PCD-05 addresses it by.
   */
  reporter: { application: string; facility: string; applicationId?: string; facilityId?: string };
  /** MSH-10 of the message that raised the alert: MSA-2 of every PCD-05 (TF-2 3.5.4.1.4). */
  controlId: string;
  /** MSH-16 of that message: NE says the reporter wants no PCD-05 (TF-2 B.1, CP-PCD-150). */
  applicationAckType: string;
  /** The PCD-05 statuses the reporter asked for with a filter OBX (CP-PCD-154); absent: no filter. */
  statusFilter?: string[];
  /** The onset's PID and PV1 (standard encoding), which PCD-05 carries back (TF-2 3.5.4.1.4). */
  patientSegments?: string[];
  version: string;
  phase: AlarmPhase;
  alarmState: string;
  inactivationState: string;
  priorityCode: string;
  device: string;
}

/** `end`, and `reset` (a latched alarm cleared at the device): the alert is over. */
const CLOSING = new Set<AlarmPhase>(['end', 'reset']);

export class PcdAlarmInterpreter implements MessageInterpreter {
  readonly name = 'ihe-pcd';
  private readonly fallbackRole: string;
  private readonly profileOf: (application: string, facility: string) => PcdProfile;

  constructor(options: PcdOptions = {}) {
    this.fallbackRole = options.fallbackRole ?? 'nurse';
    this.profileOf = options.profileOf ?? (() => 'rev10');
  }

  async interpret(
    event: InboundEvent,
    message: Hl7Message | undefined,
    ctx: RouteContext,
  ): Promise<{ status: 'routed' | 'filtered' | 'failed'; detail: string } | undefined> {
    if (!message || !isPcdAlarm(message)) return undefined;
    if (!hasAlertGroup(message))
      return { status: 'failed', detail: 'ORU^R40 without an OBR (no alert in it)' };
    return this.one(event, message, readPcdAlarm(message), ctx);
  }

  private async one(
    event: InboundEvent,
    message: Hl7Message,
    alarm: PcdAlarm,
    ctx: RouteContext,
  ): Promise<{ status: 'routed' | 'filtered' | 'failed'; detail: string }> {
    if (alarm.watchdog) return { status: 'filtered', detail: 'IHE PCD watchdog (keep-alive), no alarm' };
    const h = message.header;
    const identity = alertIdentity(
      alarm.reference,
      isOnset(alarm.phase),
      this.profileOf(h.sendingApplication, h.sendingFacility),
    );
    if (!identity) {
      return { status: 'failed', detail: 'ORU^R40 without an alert identifier in OBR-3' };
    }
    const key = pcdDedupKey(h.sendingApplication, identity);
    const closing = CLOSING.has(alarm.phase) || /\boff\b/.test(alarm.alarmState);
    // An alert raised under the older identity (before an upgrade, or while the reporter was configured
    // `legacy`) is still found by it, rather than doubled or left open.
    const other = pcdDedupKey(h.sendingApplication, alarm.reference.legacy);
    const open =
      (await ctx.alerts.findOpenByDedupKey(key, new Date(0))) ??
      (other !== key && alarm.reference.legacy
        ? await ctx.alerts.findOpenByDedupKey(other, new Date(0))
        : undefined);

    if (open) {
      const why = `PCD-04 ${alarm.phase} of alarm ${identity} (message ${event.messageId}${describeStates(alarm)})`;
      const pcd = followUpContext(open.context.pcd as PcdAlertContext | undefined, alarm, message, identity);
      await ctx.alerts.update(open.id, { context: { ...open.context, pcd } }, ctx.clock.now());
      if (closing) {
        await ctx.service.close(open.id, why);
        return { status: 'routed', detail: `alert ${open.id} closed (${alarm.phase})` };
      }
      const changes = {
        title: titleOf(alarm),
        body: bodyOf(alarm),
        priority: alarm.priority ?? open.priority,
      };
      // Reporters repeat `continue` every few seconds while an alarm lasts (IHE PCD TF-2): one that changes
      // nothing must not ring devices again nor fill the timeline.
      if (changes.title === open.title && changes.body === open.body && changes.priority === open.priority) {
        return { status: 'routed', detail: `alert ${open.id} unchanged (${alarm.phase})` };
      }
      await ctx.service.update(open, changes, why);
      return { status: 'routed', detail: `alert ${open.id} updated (${alarm.phase})` };
    }
    if (closing) {
      return {
        status: 'routed',
        detail: `alarm ${identity} ${alarm.phase}: no open alert for it (already closed or never raised)`,
      };
    }
    // A follow-up for an alert we have no record of raises it under its OBR-29.2 identity (TF-2 B.7, OBR-29).
    return this.raise(event, message, alarm, key, contextOf(alarm, message, identity), ctx);
  }

  private async raise(
    event: InboundEvent,
    message: Hl7Message,
    alarm: PcdAlarm,
    key: string,
    pcd: PcdAlertContext,
    ctx: RouteContext,
  ): Promise<{ status: 'routed' | 'filtered'; detail: string }> {
    const matches = ctx.rules.evaluate({ message, listener: event.listener, at: ctx.clock.now().getTime() });
    if (matches[0]?.filtered) return { status: 'filtered', detail: `rule ${matches[0].rule.id}` };
    // Every matching rule adds its recipients to the one alert of this instance (an alarm must stay one
    // alert so that its later phases find it); the first rule with a policy escalates it.
    const recipients: RecipientSpec[] = [];
    const seen = new Set<string>();
    for (const m of matches)
      for (const r of m.recipients) {
        const id = JSON.stringify({ ...r, at: undefined });
        if (!seen.has(id)) {
          seen.add(id);
          recipients.push(r);
        }
      }
    const reasons = matches.flatMap((m) => m.reasons);
    let ruleId = matches.map((m) => m.rule.id).join('+');
    if (recipients.length === 0) {
      recipients.push({
        kind: 'coverage',
        role: this.fallbackRole,
        scope: 'bedOrUnit',
        at: { file: 'switchboard.yaml', key: 'pcd.fallbackRole' },
      });
      reasons.push(`no rule routes this alarm: the ${this.fallbackRole} covering the bed`);
      ruleId = ruleId || 'pcd-fallback';
    }
    const policy: EscalationPolicy | undefined = matches.find((m) => m.escalationPolicy)?.escalationPolicy;
    const priority = alarm.priority ?? matches[0]?.priority ?? 'high';
    const alert: Alert = await ctx.service.raise({
      messageId: event.messageId,
      source: 'ihe-pcd',
      ruleId,
      title: titleOf(alarm),
      body: bodyOf(alarm),
      priority,
      patient: withWhere(alarm.patient),
      recipients,
      policy,
      dedupKey: key,
      context: { pcd },
      reasons: [
        `IHE PCD alarm ${pcd.identity} (${alarm.phase}${alarm.priorityCode ? `, ${alarm.priorityCode}` : ''})`,
        ...reasons,
      ],
    });
    return { status: 'routed', detail: `alert ${alert.id}` };
  }
}

/** The dedup key that ties every phase of one alert instance from one reporter to one alert. */
export function pcdDedupKey(reporter: string, instanceId: string): string {
  return `pcd:${reporter}:${instanceId}`;
}

function contextOf(alarm: PcdAlarm, message: Hl7Message, identity: string): PcdAlertContext {
  const h = message.header;
  const full = (n: number) => toStandardEncoding(h.mshFields?.[n] ?? '', h.delimiters);
  return {
    identity,
    fillerOrder: alarm.reference.fillerOrder,
    serviceId: alarm.serviceId,
    reporter: {
      application: h.sendingApplication,
      facility: h.sendingFacility,
      applicationId: full(3),
      facilityId: full(4),
    },
    controlId: h.controlId,
    applicationAckType: h.applicationAckType,
    ...(alarm.statusFilter ? { statusFilter: alarm.statusFilter } : {}),
    patientSegments: ['PID', 'PV1'].flatMap((name) => {
      const seg = message.segments(name)[0];
      return seg ? [segmentToStandardEncoding(seg, h.delimiters)] : [];
    }),
    version: h.version,
    phase: alarm.phase,
    alarmState: alarm.alarmState,
    inactivationState: alarm.inactivationState,
    priorityCode: alarm.priorityCode,
    device: alarm.device,
  };
}

/**
 * A later message changes the states, never what names the alert to its reporter: MSA-2 stays the onset's
 * MSH-10 and OBR-3 the onset's (TF-2 3.5.4.1.4). A filter it carries replaces the earlier one.
 */
function followUpContext(
  onset: PcdAlertContext | undefined,
  alarm: PcdAlarm,
  message: Hl7Message,
  identity: string,
): PcdAlertContext {
  const latest = contextOf(alarm, message, identity);
  if (!onset) return latest;
  return {
    ...onset,
    identity: onset.identity ?? identity,
    statusFilter: alarm.statusFilter ?? onset.statusFilter,
    phase: latest.phase,
    alarmState: latest.alarmState,
    inactivationState: latest.inactivationState,
    priorityCode: latest.priorityCode || onset.priorityCode,
    device: latest.device || onset.device,
  };
}

/**
 * The profile of the configured reporter a message comes from (matched as PCD-05 finds it: MSH-3.1, and
 * MSH-4.1 when the reporter names a facility); rev10 for a reporter not listed.
 */
export function pcdProfileOf(
  reporters: ReadonlyArray<{ application: string; facility?: string; profile?: PcdProfile }>,
  application: string,
  facility: string,
): PcdProfile {
  const r = reporters.find(
    (x) =>
      x.application.toLowerCase() === application.toLowerCase() &&
      (!x.facility || x.facility.toLowerCase() === facility.toLowerCase()),
  );
  return r?.profile ?? 'rev10';
}
