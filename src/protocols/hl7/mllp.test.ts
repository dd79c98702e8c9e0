import { describe, expect, it } from 'vitest';
import { frameMllp, MllpDecoder, type MllpEvent } from './mllp.ts';

const m1 = 'MSH|^~\\&|LAB|GH|SB|GH|20260101120000||ORU^R01|C1|P|2.5\rPID|1||123\r';
const m2 = 'MSH|^~\\&|LAB|GH|SB|GH|20260101120001||ORU^R01|C2|P|2.5\r';

function bodies(events: MllpEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'frame' ? [e.body.toString('utf8')] : []));
}

describe('MllpDecoder', () => {
  it('decodes several frames in one chunk', () => {
    const d = new MllpDecoder();
    const out = d.push(Buffer.concat([frameMllp(m1), frameMllp(m2)]));
    expect(bodies(out)).toEqual([m1, m2]);
    expect(d.buffered).toBe(0);
  });

  it('decodes a stream split at every possible byte, including between FS and CR', () => {
    const stream = Buffer.concat([frameMllp(m1), frameMllp(m2)]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new MllpDecoder();
      const out = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(bodies(out)).toEqual([m1, m2]);
    }
  });

  it('decodes a stream fed one byte at a time', () => {
    const stream = Buffer.concat([frameMllp(m1), frameMllp(m2), frameMllp(m1)]);
    const d = new MllpDecoder();
    const out: MllpEvent[] = [];
    for (const b of stream) out.push(...d.push(Buffer.from([b])));
    expect(bodies(out)).toEqual([m1, m2, m1]);
  });

  it('skips junk, blank lines and a BOM between frames', () => {
    const junk = Buffer.from('\r\n\uFEFFgarbage\n', 'utf8');
    const d = new MllpDecoder();
    const out = d.push(Buffer.concat([junk, frameMllp(m1), junk, frameMllp(m2), junk]));
    expect(bodies(out)).toEqual([m1, m2]);
  });

  it('accepts a frame ended by FS alone', () => {
    const d = new MllpDecoder();
    const raw = Buffer.concat([Buffer.from([0x0b]), Buffer.from(m1), Buffer.from([0x1c]), frameMllp(m2)]);
    expect(bodies(d.push(raw))).toEqual([m1, m2]);
  });

  it('keeps UTF-8 bytes intact across a split inside a multi-byte character', () => {
    const msg = 'MSH|^~\\&|LAB|GH|SB|GH|20260101||ORU^R01|U1|P|2.5|||||||UNICODE UTF-8\rOBX|1|ST|X||5 µg/L\r';
    const framed = frameMllp(msg);
    const at = framed.indexOf(0xc2) + 1;
    const d = new MllpDecoder();
    const out = [...d.push(framed.subarray(0, at)), ...d.push(framed.subarray(at))];
    expect(bodies(out)).toEqual([msg]);
  });

  it('reports an oversize frame once and recovers on the next frame', () => {
    const d = new MllpDecoder({ maxFrameBytes: 100 });
    const big = 'MSH|^~\\&|A|B|C|D|1||ADT^A01|BIG|P|2.5\r' + 'X'.repeat(500);
    const out = [...d.push(frameMllp(big).subarray(0, 300)), ...d.push(frameMllp(big).subarray(300))];
    expect(out.filter((e) => e.kind === 'oversize')).toHaveLength(1);
    const over = out[0];
    expect(over.kind === 'oversize' && over.head.toString().startsWith('MSH|')).toBe(true);
    expect(bodies(d.push(frameMllp(m1)))).toEqual([m1]);
  });

  it('restarts a frame when a new VT arrives before FS', () => {
    const d = new MllpDecoder();
    const raw = Buffer.concat([Buffer.from([0x0b]), Buffer.from('MSH|partial'), frameMllp(m1)]);
    expect(bodies(d.push(raw))).toEqual([m1]);
  });
});
