/**
 * Fictional HL7 messages from the demo hospital (Riverside General, facility RGH) for the rules' tests
 * and for docs/rules.md. Written for this project; no real patient appears here.
 */
import { Hl7Message } from '../../protocols/hl7/index.ts';

const CR = '\r';

/** Builds a message from segment lines (joined with CR, as MLLP carries them). */
export function hl7(...segments: string[]): Hl7Message {
  return Hl7Message.parse(segments.join(CR) + CR);
}

export function msh(type: string, app = 'LAB', facility = 'RGH', control = 'C1001'): string {
  return `MSH|^~\\&|${app}|${facility}|SWITCHBOARD|RGH|20250310081500-0400||${type}|${control}|P|2.5.1`;
}

export const PATIENT = 'PID|1||MRN40021^^^RGH^MR||RIVERA^ANA^M||19610402|F';
export const TEST_PATIENT = 'PID|1||MRN99001^^^RGH^MR||ZZTEST^PATIENT||19800101|M';
export const ON_4W = 'PV1|1|I|4W^401^A^RGH||||1234^OKAFOR^CHIDI^^^DR|||MED';

/** A chemistry panel: sodium normal, potassium critically high (OBX-8 'HH'). */
export function criticalPotassium(flag = 'HH'): Hl7Message {
  return hl7(
    msh('ORU^R01^ORU_R01'),
    PATIENT,
    ON_4W,
    'ORC|RE|ORD7781|LAB7781',
    'OBR|1|ORD7781|LAB7781|80048^Basic metabolic panel^LN|||202503100750',
    'OBX|1|NM|2951-2^Sodium^LN||139|mmol/L|136-145|N|||F',
    `OBX|2|NM|2823-3^Potassium^LN||6.9|mmol/L|3.5-5.1|${flag}|||F`,
  );
}

/** A STAT order: priority 'S' in ORC-7.6 (quantity/timing priority), the way many order systems send it. */
export function statOrder(priority = 'S'): Hl7Message {
  return hl7(
    msh('ORM^O01', 'EPICORD', 'RGH', 'C2001'),
    PATIENT,
    ON_4W,
    `ORC|NW|ORD8890|||||^^^202503100815^^${priority}`,
    'OBR|1|ORD8890||71045^Chest X-ray 1 view^CPT',
  );
}

/** An ED registration (ADT^A04) with a severe allergy (AL1-4 'SV', HL7 table 0128). */
export function edArrival(severity = 'SV', unit = 'ED'): Hl7Message {
  return hl7(
    msh('ADT^A04', 'ADT', 'RGH', 'C3001'),
    'EVN|A04|202503100820',
    PATIENT,
    `PV1|1|E|${unit}^^${unit}-3^RGH||||||||||||||||V0091`,
    `AL1|1|DA|70618^Penicillin^RXNORM|${severity}|Anaphylaxis`,
  );
}
