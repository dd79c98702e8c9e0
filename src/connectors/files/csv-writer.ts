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

/** Writes records of one dialect: what makes a field need quotes is worked out once, not per field. */
export function recordWriter(dialect: CsvDialect): (fields: readonly string[]) => string {
  const { delimiter, lineEnding } = dialect;
  const all = dialect.quote === 'all';
  const special = new RegExp(`["\r\n${delimiter.replace(/[\\\]^-]/g, '\\$&')}]`);
  const field = (value: string) => (all || special.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
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

/** As csvChunks, each row's fields taken from an item by `fieldsOf` (a record through its layout). */
export async function* csvChunksOf<T>(
  header: readonly string[] | undefined,
  items: AsyncIterable<T> | Iterable<T>,
  fieldsOf: (item: T) => readonly string[],
  dialect: CsvDialect = rfc4180,
): AsyncGenerator<Buffer> {
  const record = recordWriter(dialect);
  let pending = header ? record(header) : '';
  for await (const item of items) {
    pending += record(fieldsOf(item));
    if (pending.length >= CHUNK_BYTES) {
      yield Buffer.from(pending, 'utf8');
      pending = '';
    }
  }
  if (pending.length > 0) yield Buffer.from(pending, 'utf8');
}
