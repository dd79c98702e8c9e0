import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildAck, buildRejectAck, formatHl7Time } from './ack.ts';
import { ackMode } from './ack-mode.ts';
import { Hl7ParseError } from './errors.ts';
import { type MessageHeader, parseHeader } from './header.ts';
import { Hl7Message } from './message.ts';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../test/fixtures/hl7/${name}`, import.meta.url));
const now = new Date(Date.UTC(2025, 0, 2, 15, 30, 45));

function parseError(raw: Buffer | string): Hl7ParseError {
  try {
    parseHeader(raw);
  } catch (err) {
    if (err instanceof Hl7ParseError) return err;
  }
  throw new Error('expected an Hl7ParseError');
}

describe('formatHl7Time', () => {
  it('writes UTC as YYYYMMDDHHMMSS+0000', () => {
    expect(formatHl7Time(now)).toBe('20250102153045+0000');
    expect(formatHl7Time(new Date(Date.UTC(999, 11, 31, 23, 59, 59)))).toBe('09991231235959+0000');
    expect(() => formatHl7Time(new Date(Number.NaN))).toThrow(TypeError);
  });
});

describe('buildAck', () => {
  const oru = parseHeader(fixture('oru-r01-critical.hl7'));

  it('answers AA with the sender and receiver swapped, echoing MSH-10, MSH-11 and MSH-12', () => {
    const text = buildAck(oru, { code: 'AA', controlId: 'SB-ACK-1', now });
    expect(text.endsWith('\r')).toBe(true);
    expect(text.split('\r')).toHaveLength(3);
    const ack = Hl7Message.parse(text);
    expect(ack.header).toMatchObject({
      sendingApplication: 'SWITCHBOARD',
      sendingFacility: 'NORTHWING',
      receivingApplication: 'CHEMLAB',
      receivingFacility: 'NORTHWING',
      dateTime: '20250102153045+0000',
      messageType: 'ACK',
      triggerEvent: 'R01',
      messageStructure: 'ACK',
      controlId: 'SB-ACK-1',
      processingId: 'P',
      version: '2.5.1',
      acceptAckType: '',
      applicationAckType: '',
      charset: 'UNICODE UTF-8',
    });
    // The sender's full HD (namespace^OID^ISO) comes back exactly.
    expect(ack.get('MSH-6')).toBe('NORTHWING^2.16.840.1.113883.19.4.7^ISO');
    expect(ack.get('MSA-1')).toBe('AA');
    expect(ack.get('MSA-2')).toBe('NW-LAB-58813');
    expect(ack.segments('ERR')).toEqual([]);
  });

  it('names us as the caller asks', () => {
    const ack = Hl7Message.parse(
      buildAck(oru, {
        code: 'CA',
        controlId: 'X',
        now,
        receivingApplication: 'SB|ROUTER',
        receivingFacility: 'HQ',
      }),
    );
    expect([ack.get('MSH-3'), ack.get('MSH-4'), ack.get('MSA-1')]).toEqual(['SB|ROUTER', 'HQ', 'CA']);
  });

  it('adds ERR (v2.5 style) on AE with location, table 0357 code, severity and escaped text', () => {
    const text = buildAck(oru, {
      code: 'AE',
      controlId: 'SB-ACK-2',
      now,
      text: 'no bed | for ^ this & patient',
      error: {
        code: '204',
        severity: 'W',
        location: { segment: 'PID', field: 3, component: 1 },
        text: 'MRN ~ unknown',
      },
    });
    const ack = Hl7Message.parse(text);
    expect(ack.get('MSA-1')).toBe('AE');
    expect(ack.get('MSA-3')).toBe('no bed | for ^ this & patient');
    expect(ack.segments('ERR')[0]!.field(1)).toBe('');
    expect(ack.get('ERR-2')).toBe('PID^1^3^1^1');
    expect(ack.get('ERR-3')).toBe('204^Unknown key identifier^HL70357');
    expect(ack.get('ERR-3.1')).toBe('204');
    expect(ack.get('ERR-4')).toBe('W');
    expect(ack.get('ERR-8')).toBe('MRN ~ unknown');
    expect(text).toContain('MSA|AE|NW-LAB-58813|no bed \\F\\ for \\S\\ this \\T\\ patient\r');
  });

  it('defaults the ERR of a failure to 207 application internal error', () => {
    const ack = Hl7Message.parse(buildAck(oru, { code: 'CE', controlId: 'X', now }));
    expect([ack.get('MSA-1'), ack.get('MSA-3'), ack.get('ERR-3.1'), ack.get('ERR-4')]).toEqual([
      'CE',
      'Application internal error',
      '207',
      'E',
    ]);
    expect(ack.get('ERR-2')).toBe('');
  });

  it('fills ERR-1 as well for versions before 2.5', () => {
    const v23 = parseHeader(fixture('adt-a04-bom-lf.hl7'));
    const ack = Hl7Message.parse(
      buildAck(v23, {
        code: 'AR',
        controlId: 'X',
        now,
        error: { code: '101', location: { segment: 'PID', field: 3 } },
      }),
    );
    expect(ack.header.version).toBe('2.3');
    expect(ack.get('ERR-1')).toBe('PID^1^3^101&Required field missing&HL70357');
    expect(ack.get('ERR-1.4.2')).toBe('Required field missing');
    expect(ack.get('ERR-2')).toBe('PID^1^3');
    expect(ack.get('ERR-3.1')).toBe('101');
  });

  it('writes with the sender’s custom delimiters so it can read the answer', () => {
    const header = parseHeader(fixture('adt-a08-custom-delims.hl7'));
    const text = buildAck(header, {
      code: 'AE',
      controlId: 'A!1',
      now,
      error: { code: '103', location: { segment: 'PID', field: 8 }, text: 'sex @ unknown' },
    });
    expect(
      text.startsWith(
        'MSH!@$%*!SWITCHBOARD!EASTWING!BEDMGR!EASTWING!20250102153045+0000!!ACK@A08@ACK!A%F%1!P!2.4\r',
      ),
    ).toBe(true);
    const ack = Hl7Message.parse(text);
    expect(ack.header.controlId).toBe('A!1');
    expect([ack.get('MSA-2'), ack.get('ERR-1.1'), ack.get('ERR-3.1'), ack.get('ERR-8')]).toEqual([
      'EW-2207',
      'PID',
      '103',
      'sex @ unknown',
    ]);
  });

  it('answers a hand-made header without raw fields by escaping its values', () => {
    const header: MessageHeader = {
      ...parseHeader(fixture('adt-a01-cr.hl7')),
      mshFields: undefined,
      sendingApplication: 'REG^ADT',
      controlId: 'C|1',
      triggerEvent: '',
    };
    const text = buildAck(header, { code: 'AA', controlId: 'X', now });
    expect(text).toContain('|REG\\S\\ADT|NORTHWING|');
    expect(text).toContain('||ACK|X|P|2.5.1\r');
    expect(Hl7Message.parse(text).get('MSA-2')).toBe('C|1');
  });
});

describe('buildRejectAck', () => {
  it('rejects a message without MSH-10 with AR, ERR 101 at MSH-10 and the salvaged header', () => {
    const raw = fixture('orm-o01-missing-msh10.hl7');
    const ack = Hl7Message.parse(buildRejectAck(raw, parseError(raw), { controlId: 'NAK-1', now }));
    expect(ack.get('MSA-1')).toBe('AR');
    expect(ack.get('MSA-2')).toBe('');
    expect(ack.get('ERR-2')).toBe('MSH^1^10');
    expect(ack.get('ERR-3.1')).toBe('101');
    expect(ack.get('ERR-8')).toBe('MSH-10 (message control id) is missing');
    expect(ack.get('MSH-5')).toBe('ORDERS^ord.example.org^DNS');
    expect(ack.get('MSH-9')).toBe('ACK^O01^ACK');
    expect(ack.header.version).toBe('2.5.1');
  });

  it('rejects a message without MSH-2, still echoing its control id', () => {
    const raw = fixture('orm-o01-missing-msh2.hl7');
    const ack = Hl7Message.parse(
      buildRejectAck(raw, parseError(raw), { controlId: 'NAK-2', now, text: 'unreadable' }),
    );
    expect([
      ack.get('MSA-1'),
      ack.get('MSA-2'),
      ack.get('MSA-3'),
      ack.get('ERR-2'),
      ack.get('MSH-5.1'),
    ]).toEqual(['AR', 'EW-ORD-9', 'unreadable', 'MSH^1^2', 'ORDERS']);
  });

  it('answers pure garbage with standard delimiters and a default version', () => {
    const raw = Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a]);
    const text = buildRejectAck(raw, parseError(raw), { controlId: 'NAK-3', now });
    expect(text.startsWith('MSH|^~\\&|')).toBe(true);
    const ack = Hl7Message.parse(text);
    expect([ack.header.controlId, ack.header.version, ack.get('MSH-9'), ack.get('MSA-1')]).toEqual([
      'NAK-3',
      '2.5.1',
      'ACK',
      'AR',
    ]);
    expect(ack.get('ERR-2')).toBe('MSH^1');
  });

  it('takes an application error for a readable message, and another code when asked', () => {
    const raw = fixture('adt-a01-cr.hl7');
    const ack = Hl7Message.parse(
      buildRejectAck(raw, { code: '205', text: 'duplicate' }, { controlId: 'NAK-4', now, code: 'CR' }),
    );
    expect([ack.get('MSA-1'), ack.get('MSA-2'), ack.get('ERR-3.1'), ack.get('ERR-8')]).toEqual([
      'CR',
      'NW-ADT-000731',
      '205',
      'duplicate',
    ]);
  });
});

describe('ackMode', () => {
  const base = parseHeader(fixture('adt-a01-cr.hl7'));
  const mode = (acceptAckType: string, applicationAckType: string) =>
    ackMode({ ...base, acceptAckType, applicationAckType });

  it('is original mode when MSH-15 and MSH-16 are both empty: one ACK, success or not', () => {
    expect(mode('', '')).toEqual({
      enhanced: false,
      commitAckOnSuccess: true,
      commitAckOnError: true,
      applicationAckOnSuccess: false,
      applicationAckOnError: false,
    });
    expect(ackMode(base).enhanced).toBe(false);
  });

  it('reads MSH-15 per table 0155 in enhanced mode', () => {
    expect(mode('AL', 'NE')).toMatchObject({
      enhanced: true,
      commitAckOnSuccess: true,
      commitAckOnError: true,
    });
    expect(mode('SU', '')).toMatchObject({
      enhanced: true,
      commitAckOnSuccess: true,
      commitAckOnError: false,
    });
    expect(mode('ER', '')).toMatchObject({
      enhanced: true,
      commitAckOnSuccess: false,
      commitAckOnError: true,
    });
    expect(mode('NE', 'AL')).toMatchObject({
      enhanced: true,
      commitAckOnSuccess: false,
      commitAckOnError: false,
    });
    expect(mode(' ne ', '')).toMatchObject({ commitAckOnSuccess: false, commitAckOnError: false });
  });

  it('treats an empty MSH-15 beside a valued MSH-16 as AL, and reads MSH-16 too', () => {
    expect(mode('', 'ER')).toEqual({
      enhanced: true,
      commitAckOnSuccess: true,
      commitAckOnError: true,
      applicationAckOnSuccess: false,
      applicationAckOnError: true,
    });
    expect(mode('NE', 'SU')).toMatchObject({ applicationAckOnSuccess: true, applicationAckOnError: false });
  });

  it('reads the fixture that asks for AL/NE', () => {
    expect(ackMode(parseHeader(fixture('oru-r01-critical.hl7')))).toMatchObject({
      enhanced: true,
      commitAckOnSuccess: true,
      applicationAckOnSuccess: false,
    });
  });
});
