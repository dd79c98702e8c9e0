import type { PatientContext } from './model.ts';
import type { RoutableMessage } from './rules/types.ts';

/** Who and where the message is about, read from PID and PV1, for recipients and the clinician's screen. */
export function patientFromMessage(message: RoutableMessage): PatientContext | undefined {
  const ids = message.getAll('PID-3');
  if (ids.length === 0) return undefined;
  // Prefer the repetition typed MR (medical record number); else the first identifier.
  const reps = message.segments('PID')[0];
  let mrn = message.get('PID-3.1') ?? '';
  for (let i = 1; i <= ids.length; i++) {
    if (reps?.value(`PID-3(${i}).5`) === 'MR') {
      mrn = reps.value(`PID-3(${i}).1`) ?? mrn;
      break;
    }
  }
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
