/**
 * What an IHE PCD alarm says to a clinician: the alert's title (the alarm and its reading) and body (kind,
 * place, patient, limits, device, and the states the device reports), in the hospital's words.
 */

import type { PatientContext } from '../model.ts';
import { describeLocation } from '../patient-context.ts';
import type { PcdAlarm } from './pcd-alarm.ts';

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

export function titleOf(alarm: PcdAlarm): string {
  const r = alarm.reading;
  const reading = r ? ` ${readable(r.name)} ${r.value}${r.units ? ` ${r.units}` : ''}` : '';
  return `${alarmLabel(alarm)}${reading ? ` —${reading}` : ''}`;
}

export function bodyOf(alarm: PcdAlarm): string {
  // An advisory (SA) is an alert but no alarm (TF-2 table B.8.5-9).
  const kind =
    { SP: 'physiological alarm', ST: 'technical alarm', SA: 'advisory' }[alarm.sourceKind] ?? 'alarm';
  const where = describeLocation(alarm.patient?.location);
  const parts = [
    `${kind}${where ? ` at ${where}` : ''}`,
    alarm.patient?.name ? `${alarm.patient.name}${alarm.patient.mrn ? ` (${alarm.patient.mrn})` : ''}` : '',
    alarm.reading?.limits ? `limits ${alarm.reading.limits}` : '',
    alarm.device ? `device ${alarm.device}` : '',
    // States, not the phase: a `continue` that changes nothing leaves the text as it was. Pausing and
    // acknowledging at the device are told, as the clinician would want to know.
    [
      alarm.alarmState,
      alarm.inactivationState !== 'enabled' ? alarm.inactivationState : '',
      alarm.phase === 'stop' ? 'paused at the device' : '',
      alarm.phase === 'acknowledged' ? 'acknowledged at the device' : '',
    ]
      .filter(Boolean)
      .join(', '),
  ];
  const text = parts.filter(Boolean).join('; ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function readable(mdcName: string): string {
  return mdcName.replace(/^MDC_/i, '').replace(/_/g, ' ');
}

export function describeStates(alarm: PcdAlarm): string {
  const s = [alarm.alarmState, alarm.inactivationState].filter(Boolean);
  return s.length ? `; ${s.join(', ')}` : '';
}

export function withWhere(patient: PatientContext | undefined) {
  if (!patient) return undefined;
  return patient.location ? { ...patient, where: describeLocation(patient.location) } : patient;
}
