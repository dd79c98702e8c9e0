import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Hl7ParseError } from './errors.ts';
import { Hl7Message } from './message.ts';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../test/fixtures/hl7/${name}`, import.meta.url));

describe('Hl7Message field access', () => {
  const oru = Hl7Message.parse(fixture('oru-r01-critical.hl7'));
  const adt = Hl7Message.parse(fixture('adt-a01-cr.hl7'));

  it('reads fields, components and sub-components by path', () => {
    expect(adt.get('PID-3')).toBe('MRN448120^^^NORTHWING^MR');
    expect(adt.get('PID-3.1')).toBe('MRN448120');
    expect(adt.get('PID-3.4')).toBe('NORTHWING');
    expect(adt.get('PV1-7.2')).toBe('OKAFOR');
    expect(adt.get('MSH-4.2')).toBe('2.16.840.1.113883.19.4.1');
    expect(oru.get('OBR-7')).toBe('20250102084000-0600');
  });

  it('reads a given repetition and a given segment occurrence', () => {
    expect(adt.get('PID-3(2).1')).toBe('901-22-3344');
    expect(adt.get('PID-3(2).4')).toBe('USSSA');
    expect(adt.get('PID-3(3).1')).toBeUndefined();
    expect(oru.get('OBX[2]-5')).toBe('612');
    expect(oru.get('OBX[2]-3.2')).toBe('Glucose');
    expect(oru.get('OBX[2]-8')).toBe('HH');
    expect(oru.get('OBX[2]-8(2)')).toBe('A');
    expect(oru.get('OBX[5]-5')).toBeUndefined();
  });

  it('reads sub-components', () => {
    const m = Hl7Message.parse('MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPID|1||123^^^HOSP&2.16.840.1&ISO^MR');
    expect(m.get('PID-3.4.1')).toBe('HOSP');
    expect(m.get('PID-3.4.2')).toBe('2.16.840.1');
    expect(m.get('PID-3.4.3')).toBe('ISO');
    expect(m.get('PID-3.4.4')).toBeUndefined();
    expect(m.get('PID-3.1.1')).toBe('123');
  });

  it('tells an absent element (undefined) from an empty one (empty string)', () => {
    expect(adt.get('PID-2')).toBe('');
    expect(adt.get('PID-99')).toBeUndefined();
    expect(adt.get('PID-5.12')).toBeUndefined();
    expect(adt.get('NK1-2')).toBeUndefined();
  });

  it('numbers MSH fields as HL7 does', () => {
    expect(oru.get('MSH-1')).toBe('|');
    expect(oru.get('MSH-2')).toBe('^~\\&');
    expect(oru.get('MSH-3')).toBe('CHEMLAB');
    expect(oru.get('MSH-9')).toBe('ORU^R01^ORU_R01');
    expect(oru.get('MSH-9.2')).toBe('R01');
    expect(oru.get('MSH-10')).toBe('NW-LAB-58813');
    expect(oru.get('MSH-2.2')).toBeUndefined();
  });

  it('collects every OBX-8 over every OBX segment and every repetition', () => {
    expect(oru.getAll('OBX-8')).toEqual(['LL', 'HH', 'A', 'N', 'H']);
    expect(oru.getAll('OBX-3.2')).toEqual(['Potassium', 'Glucose', 'Sodium', 'Creatinine']);
    expect(oru.getAll('OBX[2]-8')).toEqual(['HH', 'A']);
    expect(oru.getAll('OBX-8(2)')).toEqual(['A']);
    expect(oru.getAll('NK1-2')).toEqual([]);
  });

  it('reads Z-segments like any other', () => {
    expect(oru.get('ZAL-2.2')).toBe('Critical result');
    expect(oru.segments('ZAL')).toHaveLength(1);
  });

  it('unescapes values, and addresses components inside escaped text', () => {
    expect(oru.get('NTE-3')).toBe('Critical K and glucose phoned to RN T. BAKER & read back at 0931');
    const esc = Hl7Message.parse(fixture('oru-r01-escapes.hl7'));
    expect(esc.get('PID-5.1')).toBe('O\u2019BRIEN');
    expect(esc.get('OBX-5')).toBe('Line one\nLine two\nImportant finding');
    expect(esc.get('OBX[2]-5')).toBe('path C:\\reports ^ up ~ down | pipe & amp');
    expect(esc.get('OBX[3]-5')).toBe('keep \\Zlocal\\ and \\Cxxyy\\ and lone \\ slash');
    expect(esc.get('OBX[4]-5')).toBe('ABC and \\X4\\ odd');
  });

  it('uses custom delimiters throughout', () => {
    const m = Hl7Message.parse(fixture('adt-a08-custom-delims.hl7'));
    expect(m.get('PID-3.1')).toBe('E55120');
    expect(m.get('PID-3(2).1')).toBe('E99001');
    expect(m.get('PID-3(2).5')).toBe('PI');
    expect(m.get('PID-5.2')).toBe('BAO');
    expect(m.get('NTE-3')).toBe('Dose 5mg * 10mg ! max%day');
    expect(m.getAll('PID-3.4')).toEqual(['EASTWING', 'STATE']);
    expect(m.get('MSH-2')).toBe('@$%*');
  });

  it('throws TypeError for a malformed path', () => {
    expect(() => adt.get('PID')).toThrow(TypeError);
    expect(() => adt.get('3.1')).toThrow(TypeError);
    expect(() => adt.get('PID-0')).toThrow(TypeError);
    expect(() => adt.getAll('PID-3..1')).toThrow(TypeError);
  });
});

describe('Hl7Message segments and endings', () => {
  it('splits CR, LF, CRLF and a mix of them, ignoring blank lines', () => {
    for (const name of [
      'oru-r01-mixed-endings.hl7',
      'orm-o01-crlf.hl7',
      'adt-a04-bom-lf.hl7',
      'adt-a01-cr.hl7',
    ]) {
      const m = Hl7Message.parse(fixture(name));
      for (const s of m.segments()) {
        expect(s.name).toMatch(/^[A-Z][A-Z0-9]{2}$/);
        expect(m.text.includes(`${s.name}|`)).toBe(true);
      }
    }
    const mixed = Hl7Message.parse(fixture('oru-r01-mixed-endings.hl7'));
    expect(mixed.segments().map((s) => s.name)).toEqual(['MSH', 'PID', 'OBR', 'OBX', 'OBX']);
    expect(mixed.getAll('OBX-8')).toEqual(['H', 'L']);
    expect(mixed.get('OBX[2]-5')).toBe('84');
    expect(Hl7Message.parse(fixture('orm-o01-crlf.hl7')).get('OBR-4.2')).toBe('Chest X-ray 2 views');
  });

  it('numbers same-named segments and exposes raw fields', () => {
    const m = Hl7Message.parse(fixture('oru-r01-critical.hl7'));
    const obx = m.segments('obx');
    expect(obx.map((s) => s.index)).toEqual([1, 2, 3, 4]);
    expect(obx[1]!.field(8)).toBe('HH~A');
    expect(obx[1]!.field(99)).toBeUndefined();
    expect(obx[1]!.field(0)).toBeUndefined();
    expect(obx[1]!.value('8(2)')).toBe('A');
    expect(obx[1]!.value('OBX-3.1')).toBe('2345-7');
    expect(obx[1]!.value('PID-3')).toBeUndefined();
    const msh = m.segments('MSH')[0]!;
    expect([msh.field(1), msh.field(2), msh.field(3)]).toEqual(['|', '^~\\&', 'CHEMLAB']);
    expect(m.segments().map((s) => s.name)).toEqual([
      'MSH',
      'PID',
      'PV1',
      'OBR',
      'OBX',
      'OBX',
      'OBX',
      'OBX',
      'NTE',
      'ZAL',
    ]);
  });

  it('keeps trailing spaces inside a field', () => {
    expect(Hl7Message.parse(fixture('adt-a04-bom-lf.hl7')).get('PID-8')).toBe('M ');
  });

  it('gives a plain-data view with raw fields indexed by HL7 number', () => {
    const view = Hl7Message.parse(fixture('adt-a01-cr.hl7')).toView();
    const [msh, evn, pid] = view.segments;
    expect(msh!.fields.slice(0, 4)).toEqual(['MSH', '|', '^~\\&', 'REGADT']);
    expect(msh!.fields[9]).toBe('ADT^A01^ADT_A01');
    expect(msh!.fields[8]).toBeNull();
    expect(evn).toEqual({ name: 'EVN', fields: ['EVN', 'A01', '20250102081455-0600'] });
    expect(pid!.fields[3]).toBe('MRN448120^^^NORTHWING^MR~901-22-3344^^^USSSA^SS');
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
  });
});

describe('Hl7Message text and character sets', () => {
  it('strips the BOM from text and starts at MSH', () => {
    const m = Hl7Message.parse(fixture('adt-a04-bom-lf.hl7'));
    expect(m.text.startsWith('MSH|^~\\&|FRONTDESK')).toBe(true);
  });

  it('decodes UTF-8 (declared or by default)', () => {
    const m = Hl7Message.parse(fixture('oru-r01-utf8.hl7'));
    expect(m.get('PID-5.1')).toBe('MÜLLER');
    expect(m.get('PID-5.2')).toBe('ZOË');
    expect(m.get('OBX[2]-6')).toBe('µmol/L');
    expect(m.get('OBX-7')).toBe('3.9–5.5');
    expect(m.get('NTE-3')).toBe('Befund: unauffällig — 検査済み');
  });

  it('decodes an 8859/1 message from its latin1 bytes', () => {
    const raw = fixture('adt-a01-latin1.hl7');
    expect(raw.includes(Buffer.from('GONÇALVES', 'latin1'))).toBe(true);
    const m = Hl7Message.parse(raw);
    expect(m.header.charset).toBe('8859/1');
    expect(m.get('PID-5.1')).toBe('GONÇALVES');
    expect(m.get('PID-5.2')).toBe('JOSÉ');
    expect(m.get('PID-11.1')).toBe('RUA DA ESPERANÇA 12');
    expect(m.get('NTE-3')).toBe('Alergia: penicilina (reação grave)');
  });

  it('reads ASCII-declared messages as UTF-8, and unknown character sets as UTF-8', () => {
    const body = 'PID|1||1||CAFÉ^ANA';
    for (const charset of ['ASCII', 'X-UNKNOWN-SET']) {
      const m = Hl7Message.parse(Buffer.from(`MSH|^~\\&|A||||||ADT^A01|1|P|2.5||||||${charset}\r${body}\r`));
      expect(m.get('PID-5.1')).toBe('CAFÉ');
    }
  });

  it('decodes other table 0211 sets, e.g. 8859/15 (euro sign at 0xA4)', () => {
    const raw = Buffer.concat([
      Buffer.from('MSH|^~\\&|A||||||DFT^P03|1|P|2.5||||||8859/15\rNTE|1||price 5', 'latin1'),
      Buffer.from([0xa4]),
      Buffer.from('\r', 'latin1'),
    ]);
    expect(Hl7Message.parse(raw).get('NTE-3')).toBe('price 5€');
  });

  it('is a lazy view: the body is read on first access, not at parse', () => {
    const raw = Buffer.from(fixture('adt-a01-cr.hl7'));
    const m = Hl7Message.parse(raw);
    const at = raw.indexOf('RIVERA');
    raw.write('SOTO  ', at, 'latin1');
    expect(m.get('PID-5.1')).toBe('SOTO  ');
    // Once split, later changes to the buffer no longer show.
    raw.write('RIVERA', at, 'latin1');
    expect(m.get('PID-5.1')).toBe('SOTO  ');
  });

  it('throws Hl7ParseError only for an unusable MSH', () => {
    expect(() => Hl7Message.parse(fixture('orm-o01-missing-msh10.hl7'))).toThrow(Hl7ParseError);
    const m = Hl7Message.parse('MSH|^~\\&|A||||||ADT^A01|1\r\u0000\u0001garbage\rPID');
    expect(m.segments().map((s) => s.name)).toEqual(['MSH', '\u0000\u0001garbage', 'PID']);
    expect(m.get('PID-3')).toBeUndefined();
  });
});
