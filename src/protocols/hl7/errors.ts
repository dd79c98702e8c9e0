/**
 * Errors of the HL7 v2 codec, coded with HL7 table 0357 (message error condition codes) so that a
 * listener can put the code straight into ERR-3 of its NAK (HL7 v2.5 chapter 2, section 2.15.5).
 */

/** HL7 table 0357, the codes an acknowledgment may carry in ERR-3 and their official names. */
export const HL7_ERROR_CODES: Readonly<Record<string, string>> = Object.freeze({
  '0': 'Message accepted',
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '202': 'Unsupported processing id',
  '203': 'Unsupported version id',
  '204': 'Unknown key identifier',
  '205': 'Duplicate key identifier',
  '206': 'Application record locked',
  '207': 'Application internal error',
});

/** Where in a message a problem sits; the parts of HL7's ERL data type (ERR-2) that we can know. */
export interface Hl7ErrorLocation {
  /** Segment id, e.g. 'MSH'. */
  segment: string;
  /** Which occurrence of that segment, 1-based (ERL.2). */
  sequence?: number;
  /** Field number, numbered as HL7 does (MSH-1 is the field separator). */
  field?: number;
  /** Component number, 1-based. */
  component?: number;
}

/**
 * The only error the codec throws for bad input. `code` is a table 0357 code: '101' for a required
 * field that is missing, '102' for a value of the wrong shape, and so on.
 */
export class Hl7ParseError extends Error {
  readonly code: string;
  readonly location?: Hl7ErrorLocation;

  constructor(code: string, message: string, location?: Hl7ErrorLocation) {
    super(message);
    this.name = 'Hl7ParseError';
    this.code = code;
    if (location !== undefined) this.location = location;
  }
}

/** The table 0357 name of a code, or 'Application internal error' for a code we do not know. */
export function errorCodeText(code: string): string {
  // hasOwn: a code such as 'constructor' must not find Object.prototype's members.
  return Object.hasOwn(HL7_ERROR_CODES, code) ? HL7_ERROR_CODES[code]! : HL7_ERROR_CODES['207']!;
}
