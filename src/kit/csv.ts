/**
 * The one CSV reader for files an analyst or a staffing office exports from a spreadsheet (shifts,
 * coverage). The grammar is RFC 4180 as `csv-parse` reads it: fields separated by commas, a field in
 * double quotes may hold commas, line breaks and doubled quotes ("" stands for "). Around that:
 *   - a record ends at CRLF, LF or a lone CR, even mixed in one file (files edited on several systems);
 *   - a leading BOM is dropped and blanks around a field are trimmed (spreadsheets write both);
 *   - blank lines are skipped;
 *   - every record keeps the line it starts on and every problem names its line and field, so that an
 *     analyst is sent to the right cell. A broken record is reported and the reading goes on at the
 *     next line, so that one file shows all its problems at once.
 * Line numbers are counted here from the bytes each record used, not taken from csv-parse, which
 * counts a CRLF inside a quoted field as two lines.
 */
import { CsvError, type Options, parse } from 'csv-parse/sync';

export interface CsvRecord {
  /** 1-based line on which the record starts (a quoted field may carry it over several lines). */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  /** 1-based field of the record where the problem was found, when known. */
  column?: number;
  message: string;
}

export interface CsvRead {
  records: CsvRecord[];
  problems: CsvProblem[];
}

/** The analyst's words for what csv-parse refuses. */
const messages: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'text after a closing quote (write "" for a quote inside a quoted field)',
  INVALID_OPENING_QUOTE: 'a quote inside a field that does not start with a quote',
};

const options: Options = {
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_column_count: true, // each caller has its own rule for short and long rows
  skip_empty_lines: true,
  trim: true,
};

/** Reads `text`; a record that breaks the grammar is reported and skipped, the rest still read. */
export function readCsv(text: string): CsvRead {
  const bytes = Buffer.from(text, 'utf8');
  const lines = new LineIndex(bytes);
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  let from = 0;
  while (from < bytes.length) {
    // Where the record being read begins, blank lines before it included.
    let recordFrom = from;
    const base = from;
    try {
      parse(bytes.subarray(from), {
        ...options,
        bom: from === 0,
        on_record: (fields: string[], info) => {
          if (!(fields.length === 1 && fields[0] === '')) {
            records.push({ line: lines.lineOfRecordAt(recordFrom), fields });
          }
          recordFrom = base + info.bytes;
          return null; // kept above with its line, not collected again by csv-parse
        },
      });
      break;
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      const line = lines.lineOfRecordAt(recordFrom);
      const field = typeof error.column === 'number' ? error.column + 1 : undefined;
      problems.push({
        line,
        ...(field === undefined ? {} : { column: field }),
        message: messages[error.code] ?? error.message,
      });
      // An unclosed quote runs to the end of the file: nothing after it can be read as records.
      if (error.code === 'CSV_QUOTE_NOT_CLOSED') break;
      from = lines.startOfLine(line + 1);
    }
  }
  return { records, problems };
}

/** Line numbers of byte offsets: CRLF, LF and a lone CR each end a line, as they end a record. */
class LineIndex {
  /** Byte offset at which each line starts; starts[0] is line 1. */
  private readonly starts: number[] = [0];

  constructor(private readonly bytes: Buffer) {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x0d && bytes[i + 1] === 0x0a) continue; // the LF that follows ends the line
      if (b === 0x0a || b === 0x0d) this.starts.push(i + 1);
    }
  }

  /** The line of the first character of a record read from `offset` on (blank lines are skipped). */
  lineOfRecordAt(offset: number): number {
    let i = offset;
    while (i < this.bytes.length && isBlank(this.bytes[i])) i++;
    // The last line start at or before i (binary search: a large file has many lines).
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= i) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  /** Byte offset where 1-based `line` starts, or the end of the text when there is no such line. */
  startOfLine(line: number): number {
    return line - 1 < this.starts.length ? this.starts[line - 1] : this.bytes.length;
  }
}

function isBlank(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/**
 * The key under which to show a problem: below the header row, the header's (lower-cased) name for the
 * problem's column, as the analyst sees it in the sheet; otherwise 'column N', or '' for a whole record.
 */
export function csvProblemKey(problem: CsvProblem, header: CsvRecord | undefined): string {
  if (problem.column === undefined) return '';
  const named = header && problem.line > header.line ? header.fields[problem.column - 1] : undefined;
  return named ? named.toLowerCase() : `column ${problem.column}`;
}
