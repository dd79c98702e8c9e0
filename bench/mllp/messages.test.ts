import { describe, expect, it } from 'vitest';
import { MllpDecoder } from '../../src/protocols/hl7/mllp.ts';
import { admissionTemplate, FramedTemplate, labResultTemplate, writeDigits } from './messages.ts';

function frameOf(template: FramedTemplate, seq: number): string {
  const target = Buffer.alloc(template.length + 10, 0x21);
  const length = template.writeInto(target, seq);
  const events = new MllpDecoder().push(target.subarray(0, length));
  expect(events).toHaveLength(1);
  const event = events[0];
  if (event.kind !== 'frame') throw new Error('expected a frame');
  return event.body.toString('latin1');
}

const field = (segment: string, n: number) => segment.split('|')[n];

describe('message templates', () => {
  for (const make of [admissionTemplate, labResultTemplate]) {
    const template = make({ controlIdPrefix: 'RUN1' });

    it(`${template.name} is one MLLP frame of about 1 KiB`, () => {
      expect(template.length).toBeGreaterThan(900);
      expect(template.length).toBeLessThan(1400);
      expect(template.bytes[0]).toBe(0x0b);
      expect(template.bytes.subarray(-2)).toEqual(Buffer.from([0x1c, 0x0d]));
    });

    it(`${template.name} carries the sequence number in MSH-10 and the MRN in PID-3`, () => {
      const segments = frameOf(template, 4711).split('\r');
      expect(segments[0].startsWith('MSH|^~\\&|')).toBe(true);
      // MSH-10 is the tenth field; split() counts MSH-1 (the separator) as the gap after "MSH".
      expect(field(segments[0], 9)).toBe('RUN10000004711');
      expect(template.controlIdOf(4711)).toBe('RUN10000004711');
      const pid = segments.find((s) => s.startsWith('PID|'));
      expect(field(pid!, 3).split('^')[0]).toBe('00004711');
      expect(segments.at(-1)).toBe('');
    });

    it(`${template.name} gives every message its own control id, reusing one buffer`, () => {
      const buffer = Buffer.alloc(template.length);
      const seen = new Set<string>();
      for (let seq = 0; seq < 50; seq++) {
        template.writeInto(buffer, seq);
        seen.add(
          buffer.toString(
            'latin1',
            template.controlIdOffset,
            template.controlIdOffset + template.controlIdLength,
          ),
        );
      }
      expect(seen.size).toBe(50);
    });

    it(`${template.name} fills every MRN slot with the same number`, () => {
      const text = frameOf(template, 123);
      expect(text).not.toContain('{MRN}');
      expect(text).toContain('00000123^^^RGH^MR');
      if (template.name === 'ORU^R01') expect(text).toContain('ORD00000123|FIL00000123');
      if (template.name === 'ADT^A01') expect(text).toContain('V00000123^^^RGH^VN');
    });
  }

  it('refuses a template without exactly one control id slot', () => {
    expect(() => new FramedTemplate('bad', ['MSH|^~\\&|A|B|C|D|||ADT^A01|X|P|2.5.1'])).toThrow(/CONTROL_ID/);
  });

  it('refuses a sequence number wider than its slot', () => {
    const template = admissionTemplate({ controlIdDigits: 3 });
    expect(() => template.writeInto(Buffer.alloc(template.length), 1000)).toThrow(RangeError);
  });
});

describe('writeDigits', () => {
  it('writes zero-padded decimal digits in place', () => {
    const b = Buffer.from('xx------yy');
    writeDigits(b, 2, 6, 4711);
    expect(b.toString()).toBe('xx004711yy');
  });
});
