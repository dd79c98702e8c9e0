/**
 * Realistic HL7 v2.5.1 messages for the MLLP benchmarks, about 1 KiB each: an ADT^A01 admission and an
 * ORU^R01 basic metabolic panel, shaped like what an EHR and a lab system send (several identifiers, an
 * address, providers, allergies, insurance; eight results with units, ranges and flags).
 *
 * Each message is built from a framed template once; per message only the digits of MSH-10 and of the
 * patient's MRN are written into a reused buffer, so the load generator spends its CPU on the network
 * and not on building strings.
 */
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';

const CONTROL_ID = '{CONTROL_ID}';
const MRN = '{MRN}';

export interface TemplateOptions {
  /** Fixed prefix of every MSH-10 (keeps ids of different runs apart). @defaultValue 'SBB' */
  controlIdPrefix?: string;
  /** Digits of the message sequence number after the prefix. @defaultValue 10 */
  controlIdDigits?: number;
  /** Digits of the patient MRN (the sequence number modulo 10^digits). @defaultValue 8 */
  mrnDigits?: number;
}

/** One MLLP-framed message with slots for its control id and MRN. */
export class FramedTemplate {
  /** VT, the message, FS CR. */
  readonly bytes: Buffer;
  /** Where MSH-10 (prefix and digits) sits in `bytes`, and how long it is. */
  readonly controlIdOffset: number;
  readonly controlIdLength: number;
  private readonly digitsOffset: number;
  private readonly digits: number;
  private readonly mrnOffsets: number[];
  private readonly mrnDigits: number;
  private readonly mrnModulus: number;

  constructor(
    readonly name: string,
    segments: string[],
    options: TemplateOptions = {},
  ) {
    const prefix = options.controlIdPrefix ?? 'SBB';
    this.digits = options.controlIdDigits ?? 10;
    this.mrnDigits = options.mrnDigits ?? 8;
    this.mrnModulus = 10 ** this.mrnDigits;
    const text = `${segments.join('\r')}\r`;
    if (/[^\x20-\x7e\r]/.test(text)) throw new Error(`template ${name} must be printable ASCII`);
    const controlAt = text.indexOf(CONTROL_ID);
    if (controlAt < 0 || text.indexOf(CONTROL_ID, controlAt + 1) >= 0)
      throw new Error(`template ${name} needs exactly one ${CONTROL_ID}`);
    // Offsets are counted in the final text, where every slot already has its real width; +1 for VT.
    const filled = text
      .replace(CONTROL_ID, prefix + '0'.repeat(this.digits))
      .replaceAll(MRN, '0'.repeat(this.mrnDigits));
    this.bytes = frameMllp(filled);
    this.controlIdOffset = 1 + controlAt;
    this.controlIdLength = prefix.length + this.digits;
    this.digitsOffset = this.controlIdOffset + prefix.length;
    this.mrnOffsets = [];
    // Each slot before an MRN moved it by the difference between the slot's width and its placeholder's.
    const controlShift = this.controlIdLength - CONTROL_ID.length;
    const mrnShift = this.mrnDigits - MRN.length;
    for (let at = text.indexOf(MRN), seen = 0; at >= 0; at = text.indexOf(MRN, at + 1), seen++) {
      this.mrnOffsets.push(1 + at + (controlAt < at ? controlShift : 0) + seen * mrnShift);
    }
  }

  /** Framed length in bytes. */
  get length(): number {
    return this.bytes.length;
  }

  /** Writes message number `seq` into `target` (at least `length` bytes); returns its framed length. */
  writeInto(target: Buffer, seq: number): number {
    this.bytes.copy(target, 0);
    writeDigits(target, this.digitsOffset, this.digits, seq);
    const mrn = seq % this.mrnModulus;
    for (const at of this.mrnOffsets) writeDigits(target, at, this.mrnDigits, mrn);
    return this.bytes.length;
  }

  /** The control id that `writeInto(…, seq)` writes, as text (for checks and tests, not the hot path). */
  controlIdOf(seq: number): string {
    return this.bytes.toString('latin1', this.controlIdOffset, this.digitsOffset) + pad(seq, this.digits);
  }
}

function pad(n: number, width: number): string {
  const s = String(n);
  if (s.length > width) throw new RangeError(`${n} does not fit in ${width} digits`);
  return s.padStart(width, '0');
}

/** Zero-padded decimal digits written in place, without building a string. */
export function writeDigits(target: Buffer, offset: number, width: number, value: number): void {
  if (value >= 10 ** width) throw new RangeError(`${value} does not fit in ${width} digits`);
  let v = value;
  for (let i = offset + width - 1; i >= offset; i--) {
    target[i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
}

/** An inpatient admission from the EHR (HL7 v2.5.1 chapter 3, ADT^A01). */
export function admissionTemplate(options?: TemplateOptions): FramedTemplate {
  return new FramedTemplate(
    'ADT^A01',
    [
      `MSH|^~\\&|EPICADT|RGH|SWITCHBOARD|RGH|20260115083000||ADT^A01^ADT_A01|${CONTROL_ID}|P|2.5.1`,
      'EVN|A01|20260115083000|||JSMITH^SMITH^JOHN^^^^^^RGH',
      `PID|1||${MRN}^^^RGH^MR~999${MRN}^^^SSA^SS||DOE^JANE^QUINN^^MS||19700101|F||2106-3^White^CDCREC|` +
        '1200 RIVERSIDE DR^APT 4B^SPRINGFIELD^IL^62704^USA^H||^PRN^PH^^1^217^5550142|^WPN^PH^^1^217^5550199|' +
        `EN^English^HL70296|M^Married^HL70002||V${MRN}^^^RGH^VN`,
      'PD1|||RIVERSIDE GENERAL HOSPITAL^^1001|1234567890^WELBY^MARCUS^^^DR^MD',
      'NK1|1|DOE^JOHN^A|SPO^Spouse^HL70063|1200 RIVERSIDE DR^APT 4B^SPRINGFIELD^IL^62704^USA|' +
        '^PRN^PH^^1^217^5550143||EC^Emergency Contact^HL70131',
      'PV1|1|I|4W^401^A^RGH^^^^4 WEST MED-SURG|E|||1234567890^WELBY^MARCUS^^^DR^MD|' +
        '2345678901^KILDARE^JAMES^^^DR^MD||MED||||7|||1234567890^WELBY^MARCUS^^^DR^MD|IP|' +
        '|||||||||||||||||||||||||20260115082500',
      'PV2|||I50.9^Heart failure, unspecified^I10',
      'AL1|1|DA|70618^Penicillin^RXNORM|SV|Hives',
      'DG1|1||I50.9^Heart failure, unspecified^I10||20260115|A',
      'IN1|1|BCBS01^Blue Cross PPO|60054|BLUE CROSS BLUE SHIELD OF ILLINOIS|PO BOX 805107^^CHICAGO^IL^60680|' +
        '|^WPN^PH^^1^800^5551212|GRP4471||||20250101|20261231|||DOE^JANE^QUINN|SEL^Self^HL70063|19700101',
    ],
    options,
  );
}

/** A basic metabolic panel from the lab (HL7 v2.5.1 chapter 7, ORU^R01), one critical potassium. */
export function labResultTemplate(options?: TemplateOptions): FramedTemplate {
  const result = (
    n: number,
    loinc: string,
    name: string,
    value: string,
    unit: string,
    range: string,
    flag: string,
  ) => `OBX|${n}|NM|${loinc}^${name}^LN||${value}|${unit}^^UCUM|${range}|${flag}|||F|||20260115082500|RGHLAB`;
  return new FramedTemplate(
    'ORU^R01',
    [
      `MSH|^~\\&|LAB|RGH|SWITCHBOARD|RGH|20260115083000||ORU^R01^ORU_R01|${CONTROL_ID}|P|2.5.1`,
      `PID|1||${MRN}^^^RGH^MR||DOE^JANE^QUINN||19700101|F|||1200 RIVERSIDE DR^^SPRINGFIELD^IL^62704`,
      'PV1|1|I|4W^401^A^RGH|||||||MED',
      `ORC|RE|ORD${MRN}|FIL${MRN}||CM||||20260115080000|||1234567890^WELBY^MARCUS^^^DR^MD`,
      `OBR|1|ORD${MRN}|FIL${MRN}|80048^Basic metabolic panel^CPT|||20260115075500|||||||` +
        '|1234567890^WELBY^MARCUS^^^DR^MD||||||20260115082500|||F',
      result(1, '2951-2', 'Sodium', '138', 'mmol/L', '136-145', 'N'),
      result(2, '2823-3', 'Potassium', '6.9', 'mmol/L', '3.5-5.1', 'HH'),
      result(3, '2075-0', 'Chloride', '101', 'mmol/L', '98-107', 'N'),
      result(4, '2028-9', 'Carbon dioxide', '24', 'mmol/L', '22-29', 'N'),
      result(5, '3094-0', 'Urea nitrogen', '31', 'mg/dL', '7-20', 'H'),
      result(6, '2160-0', 'Creatinine', '1.9', 'mg/dL', '0.6-1.2', 'H'),
      result(7, '2345-7', 'Glucose', '112', 'mg/dL', '70-99', 'H'),
      result(8, '17861-6', 'Calcium', '9.1', 'mg/dL', '8.6-10.3', 'N'),
      'NTE|1|L|Critical potassium called to RN DOE by lab tech JS at 08:26',
    ],
    options,
  );
}
