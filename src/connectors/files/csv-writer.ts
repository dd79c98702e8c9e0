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
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) out += dialect.delimiter;
    out += csvField(fields[i], dialect);
  }
  return out + dialect.lineEnding;
}

function csvField(value: string, dialect: CsvDialect): string {
  const needs =
    dialect.quote === 'all' ||
    value.includes('"') ||
    value.includes('\n') ||
    value.includes('\r') ||
    value.includes(dialect.delimiter);
  return needs ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The file as chunks: the header record (when given), then one record per row. Pull-driven: a row is read
 * only when the consumer (a stream being written to a socket) asks for more.
 */
export async function* csvChunks(
  header: readonly string[] | undefined,
  rows: AsyncIterable<readonly string[]> | Iterable<readonly string[]>,
  dialect: CsvDialect = rfc4180,
): AsyncGenerator<Buffer> {
  let pending = header ? csvRecord(header, dialect) : '';
  for await (const row of rows) {
    pending += csvRecord(row, dialect);
    if (pending.length >= CHUNK_BYTES) {
      yield Buffer.from(pending, 'utf8');
      pending = '';
    }
  }
  if (pending.length > 0) yield Buffer.from(pending, 'utf8');
}
