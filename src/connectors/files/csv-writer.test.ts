import { describe, expect, it } from 'vitest';
import { readCsv } from '../../kit/csv.ts';
import { csvChunks, csvRecord, rfc4180 } from './csv-writer.ts';

const text = async (chunks: AsyncIterable<Buffer>) => {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
};

describe('csv writer', () => {
  it('quotes only where RFC 4180 needs it, doubling quotes, ending records with CRLF', () => {
    expect(csvRecord(['a', 'b,c', 'say "hi"', 'two\nlines', ''], rfc4180)).toBe(
      'a,"b,c","say ""hi""","two\nlines",\r\n',
    );
  });

  it('quotes everything, or uses another delimiter and LF, when the layout says so', () => {
    expect(csvRecord(['a', ''], { ...rfc4180, quote: 'all' })).toBe('"a",""\r\n');
    expect(csvRecord(['a;b', 'c,d'], { delimiter: ';', quote: 'minimal', lineEnding: '\n' })).toBe(
      '"a;b";c,d\n',
    );
  });

  it('quotes a field holding a delimiter that means something in a pattern (], ^, -, \\, |, tab)', () => {
    for (const d of [']', '^', '-', '\\', '|', '\t', '.']) {
      const dialect = { delimiter: d, quote: 'minimal' as const, lineEnding: '\n' as const };
      expect(csvRecord([`a${d}b`, 'plain', 'x,y'], dialect)).toBe(`"a${d}b"${d}plain${d}x,y\n`);
    }
  });

  it('streams rows into chunks that read back as the same fields, header first', async () => {
    async function* rows() {
      for (let i = 0; i < 5000; i++) yield [`row ${i}`, `"${i}"`, 'x,y'];
    }
    const chunks: Buffer[] = [];
    for await (const c of csvChunks(['name', 'quoted', 'comma'], rows())) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(1); // written in pieces, never one string
    const read = readCsv(Buffer.concat(chunks).toString('utf8'));
    expect(read.problems).toEqual([]);
    expect(read.records).toHaveLength(5001);
    expect(read.records[4321].fields).toEqual(['row 4320', '"4320"', 'x,y']);
  });

  it('writes text beyond ASCII and a row longer than a chunk as they are, in UTF-8', async () => {
    const long = 'Zoë 👩‍⚕️ Ünal, '.repeat(20_000);
    const rows = [
      ['Núñez', 'Ωmega'],
      [long, 'x'],
      ['日本語', '"q"'],
    ];
    const chunks: Buffer[] = [];
    for await (const c of csvChunks(['a', 'b'], rows)) chunks.push(c);
    const expected = `a,b\r\n${rows.map((r) => csvRecord(r, rfc4180)).join('')}`;
    expect(Buffer.concat(chunks).equals(Buffer.from(expected, 'utf8'))).toBe(true);
    expect(chunks.every((c) => c.length > 0)).toBe(true);
  });

  it('writes a header alone for no rows, and nothing at all without a header', async () => {
    expect(await text(csvChunks(['a', 'b'], []))).toBe('a,b\r\n');
    expect(await text(csvChunks(undefined, []))).toBe('');
  });
});
