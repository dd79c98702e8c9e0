/**
 * The CSV that leaves Switchboard, written as RFC 4180 describes it (fields joined by the delimiter, a
 * field quoted when it holds the delimiter, a quote or a line break, quotes inside doubled, records ended
 * by CRLF), with the delimiter, the quoting and the line end chosen by the receiving system's layout.
 *
 * Rows come from an async iterable (a cursor over the store) and leave as chunks of about 64 KiB, so a
 * file of any size is written in constant memory and without a write call per row.
 */

export interface CsvDialect {
  /** @defaultValue ',' */
  delimiter: string;
  /** 'minimal' quotes only where RFC 4180 needs it; 'all' quotes every field. @defaultValue 'minimal' */
  quote: 'minimal' | 'all';
  /** @defaultValue '\r\n' (RFC 4180) */
  lineEnding: '\r\n' | '\n';
}

export const rfc4180: Readonly<CsvDialect> = Object.freeze({
  delimiter: ',',
  quote: 'minimal',
  lineEnding: '\r\n',
});

const CHUNK_BYTES = 64 * 1024;

/** One record, with its line ending. */
export function csvRecord(fields: readonly string[], dialect: CsvDialect): string {
  return recordWriter(dialect)(fields);
}

/**
 * Writes one field of a dialect (quoted when it must be, or always): what makes a field need quotes is
 * worked out once, not per field.
 */
export function fieldWriter(dialect: CsvDialect): (value: string) => string {
  const special = new RegExp(`["\r\n${dialect.delimiter.replace(/[\\\]^-]/g, '\\$&')}]`);
  if (dialect.quote === 'all') return (value) => `"${value.replaceAll('"', '""')}"`;
  return (value) => (special.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
}

/** Writes records of one dialect. */
export function recordWriter(dialect: CsvDialect): (fields: readonly string[]) => string {
  const { delimiter, lineEnding } = dialect;
  const field = fieldWriter(dialect);
  return (fields) => {
    let out = fields.length > 0 ? field(fields[0]) : '';
    for (let i = 1; i < fields.length; i++) out += delimiter + field(fields[i]);
    return out + lineEnding;
  };
}

/**
 * The file as chunks: the header record (when given), then one record per row. Pull-driven: a row is read
 * only when the consumer (a stream being written to a socket) asks for more.
 */
export function csvChunks(
  header: readonly string[] | undefined,
  rows: AsyncIterable<readonly string[]> | Iterable<readonly string[]>,
  dialect: CsvDialect = rfc4180,
): AsyncGenerator<Buffer> {
  return csvChunksOf(header, rows, (row) => row, dialect);
}

/** As csvChunks, each row's fields taken from an item by `fieldsOf`. */
export function csvChunksOf<T>(
  header: readonly string[] | undefined,
  items: AsyncIterable<T> | Iterable<T>,
  fieldsOf: (item: T) => readonly string[],
  dialect: CsvDialect = rfc4180,
): AsyncGenerator<Buffer> {
  const record = recordWriter(dialect);
  return lineChunks(header ? record(header) : '', items, (item) => record(fieldsOf(item)));
}

/**
 * Lines of text (each with its line ending) as UTF-8 chunks of about 64 KiB, `first` before them. Each
 * line is encoded into the chunk as it comes, instead of being added to a string that is encoded once
 * full: a 64 KiB string built of a thousand small ones cost more to flatten and encode than every line
 * encoded alone (Buffer.from took 75 of 560 ms of CPU for 100,000 shifts, bench/exports).
 */
export async function* lineChunks<T>(
  first: string,
  items: AsyncIterable<T> | Iterable<T>,
  lineOf: (item: T) => string,
): AsyncGenerator<Buffer> {
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  const add = (text: string): Buffer | undefined => {
    // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4).
    if (used + text.length * 3 <= chunk.length) {
      used += chunk.write(text, used);
      return undefined;
    }
    const full = chunk.subarray(0, used);
    chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, text.length * 3));
    used = chunk.write(text, 0);
    return full;
  };
  if (first !== '') add(first);
  for await (const item of items) {
    const full = add(lineOf(item));
    if (full && full.length > 0) yield full;
  }
  if (used > 0) yield chunk.subarray(0, used);
}
