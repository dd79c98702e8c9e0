/**
 * Reads an IHE PCD-04 "Report Alert" (ORU^R40^ORU_R40, IHE PCD TF-2 §3.4, Alarm Communication Management)
 * into one plain record. The alert is described by "facets": OBX segments under one OBR whose OBX-4
 * (observation sub-id, dotted containment notation) ends in the facet number:
 *
 *   .1 event identification   OBX-3 196616^MDC_EVT_ALARM, OBX-5 the alarm type (e.g. MDC_EVT_LEAD_OFF),
 *                              OBX-8 priority (PH/PM/PL/PN) and source (SP physiological / ST technical /
 *                              SA advisory)
 *   .2 source identification  the monitored parameter, its value (OBX-5), units (OBX-6), limits (OBX-7)
 *   .3 event phase            MDC_ATTR_EVENT_PHASE: start, continue, update, escalate, end … (TF-2 B.8.5-4)
 *   .4 alarm state            MDC_ATTR_ALARM_STATE (also sent as MDC_ATTR_ALERT_STATE): inactive, active,
 *                              latched, off; may repeat
 *   .5 inactivation state     MDC_ATTR_ALARM_INACTIVATION_STATE: enabled, audio-paused, alarm-off …
 *   .6 alarm priority         MDC_ATTR_ALARM_PRIORITY (repeats OBX-8's priority in later revisions)
 *   .7 alert type             MDC_ATTR_ALERT_TYPE: SP / ST / SA
 *
 * Real sources differ: the same attribute arrives as 68481 from one vendor and 68165 from another, some
 * put the alarm code straight into OBX-3 of facet 1, some leave the facet numbers out. So attributes are
 * matched by name first (MDC_ATTR_EVENT_PHASE), then by the numeric codes seen in the field, then by the
 * facet number. Besides the facets, a reporter may add an OBX named MDC_ATTR_ALERT_DISSEM_STATUS_FILTER
 * whose OBX-5 repetitions are the only PCD-05 statuses it wants (TF-2 B.10.1, CP-PCD-154).
 *
 * One PCD-04 reports at most one alert; further OBR groups are evidence, such as a waveform (TF-2 B.7.1).
 * Nothing here knows about routing.
 */
import { type Hl7Message, type Segment, toStandardEncoding } from '../../protocols/hl7/index.ts';
import type { AlertPriority } from '../../store/alert-port.ts';
import type { PatientContext } from '../model.ts';
import { type AlertReference, readReference } from './pcd-identity.ts';

/** The event phases of TF-2 table B.8.5-4. */
export type AlarmPhase =
  | 'tpoint'
  | 'start'
  | 'start_only'
  | 'continue'
  | 'end'
  | 'present'
  | 'update'
  | 'escalate'
  | 'inactivate'
  | 'acknowledged'
  | 'deescalate'
  | 'reset'
  | 'stop'
  | 'unknown';

export interface PcdAlarm {
  /** OBR-3 and OBR-29.2, written with the standard delimiters (`|^~\&`, what PCD-05 is written in). */
  reference: AlertReference;
  /** OBR-4, the same way. */
  serviceId: string;
  phase: AlarmPhase;
  /** As sent, lower-cased, repetitions joined by ', ': 'active', 'inactive', 'latched', 'off' ('' when absent). */
  alarmState: string;
  /** As sent, lower-cased, likewise: 'enabled', 'audio-paused', 'alarm-off', 'alert-acknowledged' … */
  inactivationState: string;
  /**
   * The PCD-05 statuses the reporter wants for this alert (upper-cased PRT-3.2 words), when it sent a
   * filter; [] means none at all; undefined means no filter.
   */
  statusFilter?: string[];
  /** PH/PM/PL/PN as sent ('' when absent or not one of them). */
  priorityCode: string;
  priority?: AlertPriority;
  /** SP physiological, ST technical, SA advisory ('' when absent). */
  sourceKind: string;
  /** The alarm type: code and MDC reference id (name), e.g. 196680 / MDC_EVT_LEAD_OFF. */
  type: { code: string; name: string; text: string };
  /** The monitored parameter and its reading, when the source sends one (facet 2). */
  reading?: { name: string; value: string; units: string; limits: string };
  /** Free text the source gives (MDC_ATTR_ALERT_TEXT or OBX-5 text of facet 1). */
  text: string;
  /** The device: OBX-18 of the first OBX that names one, else MSH-3. */
  device: string;
  patient?: PatientContext;
  /** A keep-alive, not an alarm (MDC_EVT_WATCHDOG, or an ACM "heartbeat"). */
  watchdog: boolean;
}

/** Attribute names and the numeric codes real sources use for them (two code families are in use). */
const ATTRIBUTES = {
  phase: { names: ['MDC_ATTR_EVENT_PHASE'], codes: ['68481', '68165'], facet: '3' },
  state: { names: ['MDC_ATTR_ALARM_STATE', 'MDC_ATTR_ALERT_STATE'], codes: ['68482', '68166'], facet: '4' },
  inactivation: { names: ['MDC_ATTR_ALARM_INACTIVATION_STATE'], codes: ['68483', '68167'], facet: '5' },
  priority: { names: ['MDC_ATTR_ALARM_PRIORITY'], codes: ['68484', '68168'], facet: '6' },
  alertType: { names: ['MDC_ATTR_ALERT_TYPE'], codes: ['68485'], facet: '7' },
  text: { names: ['MDC_ATTR_ALERT_TEXT'], codes: ['68546'], facet: '8' },
  source: { names: ['MDC_ATTR_ALERT_SOURCE'], codes: ['68480'], facet: '2' },
  // CP-PCD-154 proposed the name with the MDCX_ prefix; the TF text has the MDC_ one. No code is assigned.
  filter: {
    names: ['MDC_ATTR_ALERT_DISSEM_STATUS_FILTER', 'MDCX_ALERT_DISSEM_STATUS_FILTER'],
    codes: [],
    facet: '',
  },
} as const;
type AttributeKey = keyof typeof ATTRIBUTES;

/** IEC 60601-1-8 priorities as ACM codes them, in the hospital's words. */
const PRIORITY: Record<string, AlertPriority> = { PH: 'urgent', PM: 'high', PL: 'normal', PN: 'low' };
const PHASES = new Set<AlarmPhase>([
  'tpoint',
  'start',
  'start_only',
  'continue',
  'end',
  'present',
  'update',
  'escalate',
  'inactivate',
  'acknowledged',
  'deescalate',
  'reset',
  'stop',
]);
/**
 * The phase names IEEE 11073 assigns, as TF-2 table B.8.5-4 maps them. `_COMPL` is the last phase of a
 * start, (stop, start)*, complete sequence: the alert is over, so it ends it.
 */
const ASSIGNED_PHASES: Record<string, AlarmPhase> = {
  _start: 'start',
  _end: 'end',
  _stop: 'stop',
  _change: 'update',
  _changed: 'update',
  _cleared: 'update',
  _compl: 'end',
  'de-escalate': 'deescalate',
};

/** Phases that report the onset of an alert: their OBR-3 is the alert's identity (TF-2 table B.7-4). */
const ONSET_PHASES = new Set<AlarmPhase>(['start', 'start_only', 'tpoint', 'present']);

export function isOnset(phase: AlarmPhase): boolean {
  return ONSET_PHASES.has(phase);
}

export function isPcdAlarm(message: Hl7Message): boolean {
  return message.header.messageType === 'ORU' && message.header.triggerEvent === 'R40';
}

/**
 * The one alert of a PCD-04: the OBR group that carries the alert (an event phase, or the MDC_EVT_ALARM
 * service), else the first. Other groups are its evidence (a waveform) and are not read as alerts.
 */
export function readPcdAlarm(message: Hl7Message): PcdAlarm {
  const groups = obrGroups(message);
  const alert =
    groups.find((g) => g.obxs.some((o) => matchesAttribute(o, 'phase'))) ??
    groups.find((g) =>
      /MDC_EVT_ALARM|^196616$|^ALARM$/i.test(g.obr.value('4.2') || g.obr.value('4.1') || ''),
    ) ??
    groups[0];
  return readOne(message, alert?.obr, alert?.obxs ?? message.segments('OBX'));
}

/** Whether the message has an OBR at all (a PCD-04 without one names no alert). */
export function hasAlertGroup(message: Hl7Message): boolean {
  return message.segments('OBR').length > 0;
}

function readOne(message: Hl7Message, obr: Segment | undefined, obxs: Segment[]): PcdAlarm {
  const attr = (key: AttributeKey) => findAttribute(obxs, key);

  const event = eventFacet(obxs);
  const eventIsAlarmCode = event ? isMdcEvtAlarm(event) : false;
  const type = event
    ? eventIsAlarmCode
      ? { code: v(event, '5.1'), name: v(event, '5.2'), text: v(event, '5.9') || v(event, '5.5') }
      : { code: v(event, '3.1'), name: v(event, '3.2'), text: v(event, '5') }
    : { code: '', name: '', text: '' };

  const flags = event ? flagsOf(event) : [];
  // The priority attribute wins; a source that sends a number there still has PH/PM/PL/PN in OBX-8.
  const priorityCode =
    [attr('priority') ? v(attr('priority')!, '5').toUpperCase() : '', ...flags].find((f) => f in PRIORITY) ??
    '';
  const sourceKind = (
    attr('alertType') ? v(attr('alertType')!, '5') : (flags.find((f) => /^S[PTA]$/.test(f)) ?? '')
  ).toUpperCase();

  const rawPhase = attr('phase') ? v(attr('phase')!, '5').toLowerCase() : '';
  const phase: AlarmPhase = PHASES.has(rawPhase as AlarmPhase)
    ? (rawPhase as AlarmPhase)
    : (ASSIGNED_PHASES[rawPhase] ?? (rawPhase === '' ? 'start' : 'unknown'));
  const filter = attr('filter');

  const source = readingFacet(obxs, event);
  const device =
    obxs.map((o) => v(o, '18.1')).find(Boolean) ??
    message.get('MSH-3.1') ??
    message.header.sendingApplication;
  const watchdog =
    /WATCHDOG|HEARTBEAT/i.test(`${type.name} ${type.text}`) ||
    (event ? /MDC_EVT_WATCHDOG/i.test(v(event, '3.2')) : false);

  const d = message.header.delimiters;
  return {
    reference: readReference(obr, d),
    serviceId: obr ? toStandardEncoding(obr.repetitions(4)[0]?.text ?? '', d) : '',
    phase,
    alarmState: repeated(attr('state')),
    inactivationState: repeated(attr('inactivation')),
    statusFilter: filter
      ? filter
          .repetitions(5)
          .map((r) => (r.value(1) ?? '').trim().toUpperCase())
          .filter(Boolean)
      : undefined,
    priorityCode,
    priority: PRIORITY[priorityCode],
    sourceKind,
    type,
    reading: source,
    text: attr('text') ? v(attr('text')!, '5') : !eventIsAlarmCode && event ? v(event, '5') : type.text,
    device,
    patient: patientOf(message),
    watchdog,
  };
}

/** Each OBR with the OBX segments that follow it up to the next OBR (one alert per group), in one pass. */
function obrGroups(message: Hl7Message): Array<{ obr: Segment; obxs: Segment[] }> {
  const groups: Array<{ obr: Segment; obxs: Segment[] }> = [];
  for (const segment of message.segments()) {
    if (segment.name === 'OBR') groups.push({ obr: segment, obxs: [] });
    else if (segment.name === 'OBX') groups[groups.length - 1]?.obxs.push(segment);
  }
  return groups;
}

function v(seg: Segment, path: string): string {
  return (seg.value(path) ?? '').trim();
}

function facetOf(seg: Segment): string {
  const sub = v(seg, '4');
  const dot = sub.lastIndexOf('.');
  return dot >= 0 ? sub.slice(dot + 1) : '';
}

function matchesAttribute(seg: Segment, key: AttributeKey): boolean {
  const a = ATTRIBUTES[key];
  const name = v(seg, '3.2').toUpperCase();
  if (name) return (a.names as readonly string[]).includes(name);
  return (a.codes as readonly string[]).includes(v(seg, '3.1'));
}

/** An attribute's OBX-5 repetitions, lower-cased and joined ('' when the attribute is absent). */
function repeated(seg: Segment | undefined): string {
  if (!seg) return '';
  return seg
    .repetitions(5)
    .map((r) => (r.value(1) ?? '').trim().toLowerCase())
    .filter(Boolean)
    .join(', ');
}

function findAttribute(obxs: Segment[], key: AttributeKey): Segment | undefined {
  const named = obxs.find((o) => matchesAttribute(o, key));
  if (named) return named;
  // Last resort: the facet number, but only for an OBX that names no attribute we know.
  const known = Object.keys(ATTRIBUTES) as AttributeKey[];
  if (!ATTRIBUTES[key].facet) return undefined;
  return obxs.find(
    (o) =>
      facetOf(o) === ATTRIBUTES[key].facet &&
      v(o, '3.2') === '' &&
      !known.some((k) => (ATTRIBUTES[k].codes as readonly string[]).includes(v(o, '3.1'))),
  );
}

function isMdcEvtAlarm(seg: Segment): boolean {
  return v(seg, '3.2').toUpperCase() === 'MDC_EVT_ALARM' || v(seg, '3.1') === '196616';
}

function isAttribute(seg: Segment): boolean {
  return (Object.keys(ATTRIBUTES) as AttributeKey[]).some((k) => matchesAttribute(seg, k));
}

/** Facet 1: the MDC_EVT_ALARM OBX, else the first OBX with sub-id facet 1 that is no attribute. */
function eventFacet(obxs: Segment[]): Segment | undefined {
  return (
    obxs.find(isMdcEvtAlarm) ??
    obxs.find((o) => facetOf(o) === '1' && !isAttribute(o)) ??
    obxs.find((o) => !isAttribute(o) && v(o, '4').split('.').length >= 5)
  );
}

function readingFacet(obxs: Segment[], event: Segment | undefined): PcdAlarm['reading'] {
  const sub = event ? v(event, '4') : '';
  const base = sub.includes('.') ? sub.slice(0, sub.lastIndexOf('.')) : '';
  const seg =
    obxs.find((o) => base && v(o, '4') === `${base}.2`) ??
    obxs.find((o) => facetOf(o) === '2' && o !== event);
  if (!seg) return undefined;
  const value = v(seg, '5');
  if (!value || matchesAttribute(seg, 'source')) return undefined;
  return {
    name: v(seg, '3.2') || v(seg, '3.1'),
    value,
    units: v(seg, '6.2') || v(seg, '6.1'),
    limits: v(seg, '7'),
  };
}

/** OBX-8 repetitions (PH~SP), also when a source packs them into one field with components. */
function flagsOf(seg: Segment): string[] {
  const raw = seg.field(8) ?? '';
  return raw
    .split(/[~^&]/)
    .map((f) => f.trim().toUpperCase())
    .filter(Boolean);
}

function patientOf(message: Hl7Message): PatientContext | undefined {
  const unit = message.get('PV1-3.1');
  const location = unit
    ? {
        unit,
        room: message.get('PV1-3.2') || undefined,
        bed: message.get('PV1-3.3') || undefined,
        facility: message.get('PV1-3.4') || undefined,
      }
    : undefined;
  const mrn = message.get('PID-3.1') ?? '';
  const family = message.get('PID-5.1') ?? '';
  const given = message.get('PID-5.2') ?? '';
  if (!mrn && !location) return undefined;
  const name = [family, given].filter(Boolean).join(', ') || undefined;
  return { mrn, ...(name ? { name } : {}), ...(location ? { location } : {}) };
}
