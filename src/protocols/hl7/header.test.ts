import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Hl7ParseError } from './errors.ts';
import { parseHeader, salvageHeader } from './header.ts';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../test/fixtures/hl7/${name}`, import.meta.url));

/** Runs fn and returns the Hl7ParseError it throws (fails the test when it throws nothing else). */
function parseError(fn: () => unknown): Hl7ParseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Hl7ParseError);
    return err as Hl7ParseError;
  }
  throw new Error('expected an Hl7ParseError');
}

describe('parseHeader', () => {
  it('reads every MSH field the ingest path needs', () => {
    const h = parseHeader(fixture('oru-r01-critical.hl7'));
    expect(h).toMatchObject({
      delimiters: {
        field: '|',
        component: '^',
        repetition: '~',
        escape: '\\',
        subcomponent: '&',
        segment: '\r',
      },
      sendingApplication: 'CHEMLAB',
      sendingFacility: 'NORTHWING',
      receivingApplication: 'SWITCHBOARD',
      receivingFacility: 'NORTHWING',
      dateTime: '20250102093012-0600',
      messageType: 'ORU',
      triggerEvent: 'R01',
      messageStructure: 'ORU_R01',
      controlId: 'NW-LAB-58813',
      processingId: 'P',
      version: '2.5.1',
      acceptAckType: 'AL',
      applicationAckType: 'NE',
      charset: 'UNICODE UTF-8',
    });
    expect(h.delimiters.truncation).toBeUndefined();
  });

  it('numbers raw MSH fields as HL7 does: MSH-1 is the separator, MSH-2 the encoding characters', () => {
    const h = parseHeader(fixture('adt-a01-cr.hl7'));
    expect(h.mshFields?.slice(0, 5)).toEqual([
      'MSH',
      '|',
      '^~\\&',
      'REGADT',
      'NORTHWING^2.16.840.1.113883.19.4.1^ISO',
    ]);
    expect(h.mshFields?.[10]).toBe('NW-ADT-000731');
  });

  it('gives the same header for a Buffer and for a string', () => {
    const raw = fixture('adt-a01-cr.hl7');
    expect(parseHeader(raw.toString('utf8'))).toEqual(parseHeader(raw));
  });

  it('reads only the MSH line: an unreadable body does not matter', () => {
    const msh = 'MSH|^~\\&|A|B|C|D|20250101||ADT^A01|X1|P|2.5\r';
    const h = parseHeader(Buffer.concat([Buffer.from(msh), Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x80])]));
    expect(h.controlId).toBe('X1');
  });

  it('reads custom delimiters from MSH-1 and MSH-2', () => {
    const h = parseHeader(fixture('adt-a08-custom-delims.hl7'));
    expect(h.delimiters).toEqual({
      field: '!',
      component: '@',
      repetition: '$',
      escape: '%',
      subcomponent: '*',
      segment: '\r',
    });
    expect([h.messageType, h.triggerEvent, h.messageStructure, h.controlId]).toEqual([
      'ADT',
      'A08',
      'ADT_A01',
      'EW-2207',
    ]);
  });

  it('reads a v2.7 truncation character as the fifth encoding character', () => {
    const h = parseHeader('MSH|^~\\&#|A||B||20250101||ADT^A03|T1|P|2.7');
    expect(h.delimiters.truncation).toBe('#');
  });

  it('drops a doubled encoding character (senders that write ^~\\\\&)', () => {
    const h = parseHeader('MSH|^~\\\\&|SE050|050|PACS|050|20120912011230||ADT^A01|102|T|2.6');
    expect(h.delimiters).toMatchObject({ component: '^', repetition: '~', escape: '\\', subcomponent: '&' });
    expect(h.delimiters.truncation).toBeUndefined();
    expect(h.controlId).toBe('102');
  });

  it('skips a UTF-8 BOM and leading whitespace', () => {
    const h = parseHeader(fixture('adt-a04-bom-lf.hl7'));
    expect([h.sendingApplication, h.controlId, h.version]).toEqual(['FRONTDESK', 'CL7-00042', '2.3']);
    expect(parseHeader('\uFEFF\r\n  MSH|^~\\&|A||||||ACK|Z9').controlId).toBe('Z9');
  });

  it('decodes the header in the declared 8859/1 character set', () => {
    const raw = Buffer.concat([
      Buffer.from('MSH|^~\\&|ADMISS', 'latin1'),
      Buffer.from('ÃO', 'latin1'),
      Buffer.from('|LISBOA|||20250101||ADT^A01|L1|P|2.4||||||8859/1\r', 'latin1'),
    ]);
    const h = parseHeader(raw);
    expect(h.sendingApplication).toBe('ADMISSÃO');
    expect(h.charset).toBe('8859/1');
  });

  it('unescapes header values and takes the first component and repetition', () => {
    const h = parseHeader(
      'MSH|^~\\&|LAB\\T\\CO^1.2.3^ISO~OTHER|^2.16.840.1.113883.3.59^ISO|||20250101||ORU^R01|ID\\F\\7|P^T|2.5.1^USA',
    );
    expect(h.sendingApplication).toBe('LAB&CO');
    // An HD with only a universal id is named by it, not by ''.
    expect(h.sendingFacility).toBe('2.16.840.1.113883.3.59');
    expect(h.controlId).toBe('ID|7');
    expect(h.processingId).toBe('P');
    expect(h.version).toBe('2.5.1');
    expect([h.triggerEvent, h.messageStructure, h.acceptAckType, h.charset]).toEqual(['R01', '', '', '']);
  });

  it('refuses input that does not start with MSH (code 101, location MSH)', () => {
    for (const input of ['', '   ', 'PID|1||X', 'FHS|^~\\&|A', 'msh|^~\\&|A||||||ADT^A01|1']) {
      const err = parseError(() => parseHeader(input));
      expect(err.code).toBe('101');
      expect(err.location).toEqual({ segment: 'MSH', sequence: 1 });
    }
  });

  it('refuses a missing or unusable field separator (MSH-1)', () => {
    expect(parseError(() => parseHeader('MSH')).location).toEqual({ segment: 'MSH', sequence: 1, field: 1 });
    expect(parseError(() => parseHeader('MSH\r')).code).toBe('101');
    const alnum = parseError(() => parseHeader('MSHX^~\\&XAXBXCXDX2025XXADT^A01X1XPX2.5'));
    expect([alnum.code, alnum.location?.field]).toEqual(['102', 1]);
  });

  it('refuses missing or short encoding characters (MSH-2)', () => {
    const missing = parseError(() => parseHeader(fixture('orm-o01-missing-msh2.hl7')));
    expect([missing.code, missing.location]).toEqual(['101', { segment: 'MSH', sequence: 1, field: 2 }]);
    for (const msh of [
      'MSH|^~|A||||||ADT^A01|1|P|2.5',
      'MSH|^^^^|A||||||ADT^A01|1|P|2.5',
      'MSH|^~ &|A||||||ADT^A01|1',
    ]) {
      const err = parseError(() => parseHeader(msh));
      expect([err.code, err.location?.field]).toEqual(['102', 2]);
    }
    // Fields shifted left because MSH-2 was left out entirely.
    expect(parseError(() => parseHeader('MSH|SENDER|FAC|||2025||ADT^A01|1|P|2.5')).code).toBe('102');
  });

  it('refuses a message without MSH-9 or MSH-10 (code 101 with the field)', () => {
    const noId = parseError(() => parseHeader(fixture('orm-o01-missing-msh10.hl7')));
    expect([noId.code, noId.location]).toEqual(['101', { segment: 'MSH', sequence: 1, field: 10 }]);
    const noType = parseError(() => parseHeader('MSH|^~\\&|A|B|C|D|2025||^A01|CTL1|P|2.5'));
    expect([noType.code, noType.location]).toEqual(['101', { segment: 'MSH', sequence: 1, field: 9 }]);
    expect(parseError(() => parseHeader('MSH|^~\\&|A')).location?.field).toBe(9);
  });
});

describe('salvageHeader', () => {
  it('reads what it can from a header that parseHeader refuses', () => {
    const h = salvageHeader(fixture('orm-o01-missing-msh2.hl7'));
    expect([h.sendingApplication, h.controlId, h.messageType, h.version]).toEqual([
      'ORDERS',
      'EW-ORD-9',
      'ORM',
      '2.5.1',
    ]);
    expect(h.delimiters).toMatchObject({ field: '|', component: '^', escape: '\\' });
  });

  it('finds MSH after junk and falls back to standard delimiters', () => {
    const h = salvageHeader('garbage\rMSHX^~\\&XAPP');
    expect(h.delimiters.field).toBe('|');
    expect(salvageHeader(Buffer.from([0, 1, 2, 0xff])).controlId).toBe('');
  });
});
