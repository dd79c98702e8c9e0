/**
 * IHE PCD alarms (Alarm Communication Management): the routing step for PCD-04 ORU^R40 from an Alert
 * Reporter (patient monitor gateway, infusion pump server). Switchboard is the Alert Manager.
 *
 * One alert per alert instance. The first message of an instance raises it: the current rules pick the
 * recipients (analysts route alarms like any message, `type: ORU, trigger: R40`), with the nurse covering the
 * bed as the fallback when no rule names anyone. Later phases of the same instance (continue, update,
 * escalate) update that alert in place; `end` (and the alarm switched off) closes it, which drops it from
 * every device. A watchdog (keep-alive) message raises nothing.
 *
 * What the reporter needs for PCD-05 (its OBR-3/OBR-4, MSH-3/4, MSH-16) is kept in `alert.context.pcd`;
 * the status report itself is delivery's job (src/delivery/pcd), told through AlertService.observe.
 */
import type { Hl7Message } from '../../protocols/hl7/index.ts';
import type { Alert } from '../../store/alert-port.ts';
import type { InboundEvent } from '../inbound-port.ts';
import type { MessageInterpreter, RouteContext } from '../interpreter.ts';
import type { PatientContext } from '../model.ts';
import { describeLocation } from '../patient-context.ts';
import type { EscalationPolicy, RecipientSpec } from '../rules/types.ts';
import { type AlarmPhase, isPcdAlarm, type PcdAlarm, readPcdAlarms } from './pcd-alarm.ts';

export interface PcdOptions {
  /** Who hears an alarm no rule routes: staff in this role covering the bed (else the unit). @defaultValue nurse */
  fallbackRole?: string;
}

/** What PCD-05 needs to answer the reporter about this alert; kept in alert.context.pcd. */
export interface PcdAlertContext {
  instanceId: string;
  fillerOrder: string;
  serviceId: string;
  reporter: { application: string; facility: string };
  /** MSH-10 of the message that raised the alert. */
  controlId: string;
  /** MSH-16 of that message: AL/SU/ER ask for application-level answers, NE for none. */
  applicationAckType: string;
  version: string;
  phase: AlarmPhase;
  alarmState: string;
  inactivationState: string;
  priorityCode: string;
  device: string;
}

const CLOSING = new Set<AlarmPhase>(['end', 'stop', 'reset']);

export class PcdAlarmInterpreter implements MessageInterpreter {
  readonly name = 'ihe-pcd';
  private readonly fallbackRole: string;

  constructor(options: PcdOptions = {}) {
    this.fallbackRole = options.fallbackRole ?? 'nurse';
  }

  async interpret(
    event: InboundEvent,
    message: Hl7Message | undefined,
    ctx: RouteContext,
  ): Promise<{ status: 'routed' | 'filtered' | 'failed'; detail: string } | undefined> {
    if (!message || !isPcdAlarm(message)) return undefined;
    const alarms = readPcdAlarms(message);
    if (alarms.length === 0) return { status: 'failed', detail: 'ORU^R40 without an OBR (no alert in it)' };
    // One alert per OBR; usually one per message. The message's status sums them up.
    const outcomes: Array<{ status: 'routed' | 'filtered' | 'failed'; detail: string }> = [];
    for (const alarm of alarms) outcomes.push(await this.one(event, message, alarm, ctx));
    if (outcomes.length === 1) return outcomes[0];
    const status = outcomes.some((o) => o.status === 'routed')
      ? 'routed'
      : outcomes.every((o) => o.status === 'filtered')
        ? 'filtered'
        : 'failed';
    return { status, detail: outcomes.map((o) => o.detail).join('; ') };
  }

  private async one(
    event: InboundEvent,
    message: Hl7Message,
    alarm: PcdAlarm,
    ctx: RouteContext,
  ): Promise<{ status: 'routed' | 'filtered' | 'failed'; detail: string }> {
    if (alarm.watchdog) return { status: 'filtered', detail: 'IHE PCD watchdog (keep-alive), no alarm' };
    if (!alarm.instanceId) {
      return { status: 'failed', detail: 'ORU^R40 without an alert identifier in OBR-3' };
    }
    const key = pcdDedupKey(message.header.sendingApplication, alarm.instanceId);
    const pcd = contextOf(alarm, message);
    const closing = CLOSING.has(alarm.phase) || alarm.alarmState === 'off';
    const open = await ctx.alerts.findOpenByDedupKey(key, new Date(0));

    if (open) {
      const why = `PCD-04 ${alarm.phase} of alarm ${alarm.instanceId} (message ${event.messageId}${describeStates(alarm)})`;
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
        detail: `alarm ${alarm.instanceId} ${alarm.phase}: no open alert for it (already closed or never raised)`,
      };
    }
    return this.raise(event, message, alarm, key, pcd, ctx);
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
        `IHE PCD alarm ${alarm.instanceId} (${alarm.phase}${alarm.priorityCode ? `, ${alarm.priorityCode}` : ''})`,
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

function contextOf(alarm: PcdAlarm, message: Hl7Message): PcdAlertContext {
  const h = message.header;
  return {
    instanceId: alarm.instanceId,
    fillerOrder: alarm.fillerOrder,
    serviceId: alarm.serviceId,
    reporter: { application: h.sendingApplication, facility: h.sendingFacility },
    controlId: h.controlId,
    applicationAckType: h.applicationAckType,
    version: h.version,
    phase: alarm.phase,
    alarmState: alarm.alarmState,
    inactivationState: alarm.inactivationState,
    priorityCode: alarm.priorityCode,
    device: alarm.device,
  };
}

/** MDC_EVT_LEAD_OFF → "Lead off"; the source's own text when it sends one. */
export function alarmLabel(alarm: PcdAlarm): string {
  if (alarm.text) return alarm.text;
  const name = alarm.type.name
    .replace(/^MDC_EVT_/i, '')
    .replace(/_/g, ' ')
    .toLowerCase();
  if (name) return name.charAt(0).toUpperCase() + name.slice(1);
  return alarm.type.code ? `Alarm ${alarm.type.code}` : 'Alarm';
}

function titleOf(alarm: PcdAlarm): string {
  const r = alarm.reading;
  const reading = r ? ` ${readable(r.name)} ${r.value}${r.units ? ` ${r.units}` : ''}` : '';
  return `${alarmLabel(alarm)}${reading ? ` —${reading}` : ''}`;
}

function bodyOf(alarm: PcdAlarm): string {
  const kind = { SP: 'physiological', ST: 'technical', SA: 'advisory' }[alarm.sourceKind] ?? '';
  const where = describeLocation(alarm.patient?.location);
  const parts = [
    `${kind ? `${kind} ` : ''}alarm${where ? ` at ${where}` : ''}`,
    alarm.patient?.name ? `${alarm.patient.name}${alarm.patient.mrn ? ` (${alarm.patient.mrn})` : ''}` : '',
    alarm.reading?.limits ? `limits ${alarm.reading.limits}` : '',
    alarm.device ? `device ${alarm.device}` : '',
    // States, not the phase: a `continue` that changes nothing leaves the text as it was.
    [alarm.alarmState, alarm.inactivationState !== 'enabled' ? alarm.inactivationState : '']
      .filter(Boolean)
      .join(', '),
  ];
  const text = parts.filter(Boolean).join('; ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function readable(mdcName: string): string {
  return mdcName.replace(/^MDC_/i, '').replace(/_/g, ' ');
}

function describeStates(alarm: PcdAlarm): string {
  const s = [alarm.alarmState, alarm.inactivationState].filter(Boolean);
  return s.length ? `; ${s.join(', ')}` : '';
}

function withWhere(patient: PatientContext | undefined) {
  if (!patient) return undefined;
  return patient.location ? { ...patient, where: describeLocation(patient.location) } : patient;
}
