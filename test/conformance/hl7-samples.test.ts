/**
 * Conformance of the HL7 codec against the real messages in ../shared/samples/hl7/ (public samples
 * from several vendors and projects; see that folder's README for origins). The folder is not part of
 * the repository: without it this suite is skipped, with a notice, and the unit tests stand alone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ackMode,
  buildAck,
  buildRejectAck,
  Hl7Message,
  Hl7ParseError,
  parseBatch,
  parseHeader,
} from '../../src/protocols/hl7/index.ts';

const samplesUrl = new URL('../../../shared/samples/hl7/', import.meta.url);
const samplesDir = fileURLToPath(samplesUrl);
const present = existsSync(samplesDir);
if (!present) {
  console.warn(
    `[hl7-samples] SKIPPED: ${samplesDir} not found (the shared samples are not part of a clone).`,
  );
}

const now = new Date(Date.UTC(2025, 0, 15, 8, 0, 0));
const MALFORMED = ['cdcti__malformed_missing_msh-10.hl7', 'cdcti__malformed_missing_msh-2.hl7'];
/** Files that really do contain messages without MSH-10 (checked in their own test below). */
const HAS_BROKEN_MESSAGES = ['hapi__example_oml_o21_13msgs.hl7'];
const MLLP_STREAM = 'synthetic__mllp_stream_3frames_bom_custdelims.bin';

const read = (name: string): Buffer => readFileSync(new URL(name, samplesUrl));

/** The message bodies of a raw MLLP stream: the bytes between each VT (0x0B) and the next FS (0x1C). */
function mllpFrames(stream: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let at = stream.indexOf(0x0b);
  while (at !== -1) {
    const end = stream.indexOf(0x1c, at + 1);
    if (end === -1) break;
    frames.push(stream.subarray(at + 1, end));
    at = stream.indexOf(0x0b, end + 1);
  }
  return frames;
}

function messagesOf(name: string): Hl7Message[] {
  const raw = read(name);
  return name === MLLP_STREAM ? mllpFrames(raw).map((f) => Hl7Message.parse(f)) : parseBatch(raw);
}

function expectAckParsesBack(message: Hl7Message): void {
  const h = message.header;
  expect(h.messageType).not.toBe('');
  expect(h.controlId).not.toBe('');
  expect(h.version).not.toBe('');
  expect(h.dateTime === '' || /^\d{4}/.test(h.dateTime)).toBe(true);
  const ack = Hl7Message.parse(buildAck(h, { code: 'AA', controlId: `ACK-${h.controlId}`, now }));
  expect(ack.get('MSA-1')).toBe('AA');
  expect(ack.get('MSA-2')).toBe(h.controlId);
  expect(ack.header.controlId).toBe(`ACK-${h.controlId}`);
  expect(ack.header.delimiters).toEqual(h.delimiters);
}

describe.skipIf(!present)('HL7 shared samples', () => {
  const files = present ? readdirSync(samplesDir).filter((f) => f !== 'README.md') : [];

  it('has the samples its README lists', () => {
    expect(files.length).toBeGreaterThanOrEqual(32);
  });

  for (const name of files.filter((f) => !MALFORMED.includes(f) && !HAS_BROKEN_MESSAGES.includes(f))) {
    it(`${name}: parses, header filled in, AA ack parses back with MSA-2 = MSH-10`, () => {
      const messages = messagesOf(name);
      expect(messages.length).toBeGreaterThan(0);
      for (const message of messages) {
        expectAckParsesBack(message);
        expect(message.segments()[0]!.name).toBe('MSH');
        for (const s of message.segments()) expect(s.name).toMatch(/^[A-Z][A-Z0-9]{2}$/);
      }
    });
  }

  for (const name of MALFORMED) {
    it(`${name}: refused with 101/102 and answered AR`, () => {
      const raw = read(name);
      let error: unknown;
      try {
        Hl7Message.parse(raw);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(Hl7ParseError);
      const parseError = error as Hl7ParseError;
      expect(['101', '102']).toContain(parseError.code);
      expect(parseError.location?.segment).toBe('MSH');
      const ack = Hl7Message.parse(buildRejectAck(raw, parseError, { controlId: 'NAK-1', now }));
      expect(ack.get('MSA-1')).toBe('AR');
      expect(ack.get('ERR-3.1')).toBe(parseError.code);
      expect(ack.get('ERR-2.3')).toBe(String(parseError.location?.field));
      expect(ack.get('MSH-5.1')).toBe('Sender Application');
    });
  }

  it('missing MSH-10 -> 101 at MSH-10; missing MSH-2 -> 101 at MSH-2, control id still echoed', () => {
    expect(() => parseHeader(read(MALFORMED[0]!))).toThrow(/MSH-10/);
    const noEncoding = buildRejectAck(read(MALFORMED[1]!), { code: '101' }, { controlId: 'N', now });
    expect(Hl7Message.parse(noEncoding).get('MSA-2')).toBe('111111');
  });

  it('CA 007 initial (CRLF): 105 OBX, \\.br\\ line breaks, UTF-8 µ', () => {
    const [m] = messagesOf('cdcti__CA_007_ORU_R01_initial_CRLF.hl7');
    expect(m!.segments('OBX')).toHaveLength(105);
    expect(m!.getAll('OBX-5').some((v) => v.includes('\n'))).toBe(true);
    expect(m!.getAll('OBX-5').some((v) => v.includes('\\.br\\'))).toBe(false);
    expect(m!.getAll('OBX-6.1')).toContain('µmol/L');
    expect(m!.header.messageStructure).toBe('ORU_R01');
  });

  it('CA 007 final (CR only, trailing LF): 104 OBX and \\R\\ decoded', () => {
    const [m] = messagesOf('cdcti__CA_007_ORU_R01_final_CRonly.hl7');
    expect(m!.segments('OBX')).toHaveLength(104);
    expect(m!.get('OBX[6]-5')).toContain('~EG');
    expect(m!.getAll('OBX-6.1')).toContain('µmol/L');
  });

  it('micro character sample: µ read as UTF-8', () => {
    const [m] = messagesOf('cdcti__ORU_R01_micro_char_utf8.hl7');
    expect(m!.get('OBX-6')).toBe('µmol/L');
    expect(m!.header.sendingApplication).toBe('Sender Application');
  });

  it('Natus ACK: an incoming ACK reads as ACK with its MSA', () => {
    const [m] = messagesOf('cdcti__Natus_001_ACK.hl7');
    expect(m!.header.messageType).toBe('ACK');
    expect(m!.header.triggerEvent).toBe('');
    expect(m!.get('MSA-1')).toBe('AA');
    expect(m!.get('MSA-2')).toBe('0A173B79-D7AC-444F-99E7-C96B4A68B188');
  });

  it('Oracle order: MSH-18 8859/1, 9 OBX, empty MSH-3', () => {
    const [m] = messagesOf('cdcti__Oracle_001_ORM_O01.hl7');
    expect(m!.header.charset).toBe('8859/1');
    expect(m!.header.sendingApplication).toBe('');
    expect(m!.header.sendingFacility).toBe('HNA');
    expect(m!.segments('OBX')).toHaveLength(9);
  });

  it('BOM samples: BOM stripped, OBX counts as the README says', () => {
    const [lab] = messagesOf('fhirconv__LAB-ORU-1.hl7');
    expect(lab!.text.startsWith('MSH|')).toBe(true);
    expect(lab!.segments('OBX')).toHaveLength(10);
    const [lri] = messagesOf('fhirconv__LRI_2.0-NG_CBC_Typ_Message.hl7');
    expect(lri!.segments('OBX')).toHaveLength(28);
    expect(lri!.getAll('OBX-8')).toContain('HH');
    expect(ackMode(lri!.header)).toMatchObject({
      enhanced: true,
      commitAckOnSuccess: true,
      applicationAckOnSuccess: false,
    });
    const [adt] = messagesOf('fhirconv__ADT01-23.hl7');
    expect([adt!.header.version, adt!.get('PID-5.2')]).toEqual(['2.3', 'DONALD']);
  });

  it('MDM with 29 repeated OBX lines and MSH-18 ASCII', () => {
    const [m] = messagesOf('fhirconv__MDM-T02-03.hl7');
    expect(m!.segments('OBX')).toHaveLength(29);
    expect(m!.header.charset).toBe('ASCII');
  });

  it('ORU-R01-01: \\T\\ in NTE decodes to &', () => {
    const [m] = messagesOf('fhirconv__ORU-R01-01.hl7');
    expect(m!.get('NTE-3')).toContain('O157:H7 & other STECs');
  });

  it('HAPI chemistry: Z-segment ZNT, MSH-18 8859/1, MSH-3 named by its universal id', () => {
    const [m] = messagesOf('hapi__cv.04_001_chem_ZNT.hl7');
    expect(m!.segments('ZNT')).toHaveLength(1);
    expect(m!.get('ZNT-1.2')).toBe('2.16.840.1.113883.3.59.1:4006');
    expect(m!.header.charset).toBe('8859/1');
    expect(m!.header.sendingApplication).toBe('OLIS');
    expect([m!.header.messageType, m!.header.triggerEvent, m!.header.messageStructure]).toEqual([
      'ERP',
      'Z99',
      'ERP_R09',
    ]);
  });

  it('HAPI custom delimiters MSH^~|\\&: values read right, ACK written with them', () => {
    const [m] = messagesOf('hapi__segmentfinder_a24_custom_delims.hl7');
    expect(m!.header.delimiters).toMatchObject({
      field: '^',
      component: '~',
      repetition: '|',
      escape: '\\',
      subcomponent: '&',
    });
    expect([m!.header.messageType, m!.header.triggerEvent, m!.header.controlId]).toEqual([
      'ADT',
      'A24',
      '2003582144',
    ]);
    expect(m!.get('PID-3.1')).toBe('11111');
    expect(m!.get('PID-3.4.1')).toBe('FOO');
    expect(m!.get('PID-3.4.3')).toBe('0363');
    expect(m!.get('PID-3.5')).toBe('NI');
    expect(m!.get('PID-3.6.2')).toBe('200M');
    expect(m!.get('PID-3(2)')).toBeUndefined();
    expect(m!.get('PID[2]-3.1')).toBe('22222');
    expect(m!.get('PID-5.2')).toBe('JOHN');
    expect(m!.header.acceptAckType).toBe('AL');
    expect(buildAck(m!.header, { code: 'CA', controlId: 'C1', now }).startsWith('MSH^~|\\&^')).toBe(true);
  });

  it('HAPI 13 messages back to back: 11 read, the 2 without MSH-10 reported and rejectable', () => {
    const failures: Array<{ index: number; code: string; field?: number; raw: Buffer | string }> = [];
    const messages = parseBatch(read('hapi__example_oml_o21_13msgs.hl7'), {
      onError: (err, index, raw) => failures.push({ index, code: err.code, field: err.location?.field, raw }),
    });
    expect(messages).toHaveLength(11);
    expect(messages[0]!.header.controlId).toBe('msgOP123');
    expect(messages.map((m) => m.header.messageType)).toContain('OUL');
    expect(failures.map(({ index, code, field }) => ({ index, code, field }))).toEqual([
      { index: 10, code: '101', field: 10 },
      { index: 11, code: '101', field: 10 },
    ]);
    for (const m of messages) expectAckParsesBack(m);
    for (const f of failures) {
      const nak = Hl7Message.parse(buildRejectAck(f.raw, { code: f.code }, { controlId: 'N', now }));
      expect([nak.get('MSA-1'), nak.get('MSH-5')]).toEqual(['AR', 'HIS']);
    }
  });

  it('LinuxForHealth CRLF sample: the doubled escape in MSH-2 (^~\\\\&) still reads', () => {
    const [m] = messagesOf('lfh__sample_win_CRLF.hl7');
    expect(m!.header.delimiters).toMatchObject({ escape: '\\', subcomponent: '&' });
    expect(m!.header.controlId).toBe('102');
    expect(m!.get('PID-3(2).1')).toBe('1234568965');
    expect(m!.segments().map((s) => s.name)).toEqual([
      'MSH',
      'EVN',
      'PID',
      'PV1',
      'OBX',
      'AL1',
      'AL1',
      'PRB',
    ]);
  });

  it('synthetic critical ORU: OBX-8 flags, escapes, repetitions and the ZCR Z-segment', () => {
    const [m] = messagesOf('synthetic__ORU_R01_critical_escapes_Zseg.hl7');
    expect(m!.getAll('OBX-8.1')).toEqual(['HH', 'N', 'H']);
    expect(m!.get('OBX-5')).toBe('6.9');
    expect(m!.get('PID-5(2).2')).toBe('ALLIE');
    expect(m!.get('PID-3(2).5')).toBe('SS');
    expect(m!.get('PV1-7.9.2')).toBe('2.16.840.1.113883.4.6');
    expect(m!.get('NTE-3')).toBe(
      'Critical value called to RN J. SMITH & read back verified at 0830\nSpecimen slightly hemolyzed | results may be affected.',
    );
    expect(m!.get('ZCR-5')).toBe('READBACK&VERIFIED');
    expect(m!.header.charset).toBe('UNICODE UTF-8');
  });

  it('synthetic MLLP stream: 3 frames, BOM in the first, custom delimiters MSH#@$\\* in the third', () => {
    const frames = mllpFrames(read(MLLP_STREAM));
    expect(frames).toHaveLength(3);
    const [first, second, third] = frames.map((f) => Hl7Message.parse(f));
    expect(first!.header.controlId).toBe('MSGSYN-BOM1');
    expect(first!.text.startsWith('MSH|')).toBe(true);
    expect(second!.header.messageType).toBe('ORU');
    expect(third!.header.delimiters).toMatchObject({
      field: '#',
      component: '@',
      repetition: '$',
      escape: '\\',
      subcomponent: '*',
    });
    expect([third!.header.messageType, third!.header.triggerEvent, third!.header.controlId]).toEqual([
      'ADT',
      'A08',
      'SYN-C1',
    ]);
    expect(third!.get('PID-3(2).1')).toBe('888');
    expect(third!.getAll('PID-3.5')).toEqual(['MR', 'SS']);
    expect(third!.get('PID-5.2')).toBe('JANE');
    // The same frames joined without framing read as a run of messages.
    expect(parseBatch(Buffer.concat(frames)).map((m) => m.header.controlId)).toEqual([
      'MSGSYN-BOM1',
      'LAB20240315083015001',
      'SYN-C1',
    ]);
  });
});
