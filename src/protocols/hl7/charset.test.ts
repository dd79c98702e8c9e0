import { describe, expect, it } from 'vitest';
import { charsetOf, decodeBytes, encodeHl7 } from './charset.ts';

describe('charsetOf', () => {
  it('maps table 0211 names to decoders, defaulting to UTF-8', () => {
    expect(charsetOf('8859/1')).toEqual({ kind: 'latin1' });
    expect(charsetOf(' unicode utf-8 ')).toEqual({ kind: 'utf8' });
    expect(charsetOf('ASCII')).toEqual({ kind: 'utf8' });
    expect(charsetOf('')).toEqual({ kind: 'utf8' });
    expect(charsetOf('EBCDIC-WHATEVER')).toEqual({ kind: 'utf8' });
    expect(charsetOf('8859/2')).toEqual({ kind: 'decoder', label: 'iso-8859-2' });
  });

  it('decodes a byte range with the chosen decoder', () => {
    const bytes = Buffer.from([0x41, 0xe9, 0x42]);
    expect(decodeBytes(bytes, charsetOf('8859/1'))).toBe('AéB');
    expect(decodeBytes(bytes, charsetOf('8859/1'), 1, 2)).toBe('é');
    expect(decodeBytes(bytes, charsetOf('UNICODE UTF-8'))).toBe('A\uFFFDB');
    // 0xB9 is š in ISO 8859-2 and ¹ in ISO 8859-1.
    expect(decodeBytes(Buffer.from([0xb9]), charsetOf('8859/2'))).toBe('š');
  });
});

describe('encodeHl7', () => {
  it('writes UTF-8 unless MSH-18 says 8859/1', () => {
    expect(encodeHl7('MSH|^~\\&|A||||||ACK|1|P|2.5\rMSA|AA|1|Zoë\r')).toEqual(
      Buffer.from('MSH|^~\\&|A||||||ACK|1|P|2.5\rMSA|AA|1|Zoë\r', 'utf8'),
    );
    const latin = 'MSH|^~\\&|A||||||ACK|1|P|2.4||||||8859/1\rMSA|AE|1|José €\r';
    const bytes = encodeHl7(latin);
    expect(bytes.includes(Buffer.from([0x4a, 0x6f, 0x73, 0xe9]))).toBe(true);
    expect(bytes.toString('latin1')).toBe(latin.replace('€', '?'));
  });
});
