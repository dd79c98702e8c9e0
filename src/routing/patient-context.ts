import type { PatientContext } from './model.ts';
import type { RoutableMessage } from './rules/types.ts';

/** Who and where the message is about, read from PID and PV1, for recipients and the clinician's screen. */
export function patientFromMessage(message: RoutableMessage): PatientContext | undefined {
  const identifiers = message.segments('PID')[0]?.repetitions(3) ?? [];
  if (identifiers.length === 0) return undefined;
  // Prefer the repetition typed MR (medical record number); else the first identifier.
  const typedMr = identifiers.find((cx) => cx.value(5) === 'MR');
  const mrn = (typedMr ?? identifiers[0]).value(1) ?? '';
  if (!mrn) return undefined;
  const family = message.get('PID-5.1') ?? '';
  const given = message.get('PID-5.2') ?? '';
  const unit = message.get('PV1-3.1');
  const context: PatientContext = { mrn, name: [family, given].filter(Boolean).join(', ') || undefined };
  if (unit) {
    context.location = {
      unit,
      room: message.get('PV1-3.2') || undefined,
      bed: message.get('PV1-3.3') || undefined,
      facility: message.get('PV1-3.4') || undefined,
    };
  }
  return context;
}

export function describeLocation(l: PatientContext['location']): string {
  if (!l) return '';
  const place = [l.room, l.bed].filter(Boolean).join('-');
  return [l.unit, place].filter(Boolean).join(' ');
}
