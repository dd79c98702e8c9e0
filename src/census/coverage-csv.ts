/**
 * A staff coverage CSV (what a staffing office exports from its spreadsheet) as a table: the first
 * record names the columns, each later record is a row of values by column name. The CSV itself is read
 * by the toolkit's reader (src/kit/csv.ts); this adds the coverage file's rules: header names are
 * matched without regard to case, a short row leaves the missing values empty, a row with more fields
 * than the header is reported. Each row keeps the line it starts on so that a problem can be shown
 * where the analyst will look.
 */
import { csvProblemKey, readCsv } from '../kit/csv.ts';

export interface CsvRow {
  /** 1-based line the row starts on. */
  line: number;
  /** Values by lower-cased header name. */
  values: Map<string, string>;
}

export interface CsvTable {
  /** Lower-cased header names, in file order. */
  header: string[];
  /** Line of the header row (1 unless blank lines come first). */
  headerLine: number;
  rows: CsvRow[];
  /** `key` names the column of a broken field ('' when the problem is the whole row). */
  problems: Array<{ line: number; key: string; message: string }>;
}

/** Parses a CSV with a header row; blank lines are skipped, a row with too many fields is reported. */
export function readCsvTable(text: string): CsvTable {
  const read = readCsv(text);
  const [head, ...body] = read.records;
  const header = head ? head.fields.map((h) => h.toLowerCase()) : [];
  const problems: CsvTable['problems'] = read.problems.map((p) => ({
    line: p.line,
    key: csvProblemKey(p, head),
    message: p.message,
  }));
  if (!head) return { header, headerLine: 1, rows: [], problems };
  const rows: CsvRow[] = [];
  for (const record of body) {
    if (record.fields.length > header.length) {
      problems.push({
        line: record.line,
        key: '',
        message: `has ${record.fields.length} fields but the header names ${header.length}`,
      });
      continue;
    }
    const values = new Map<string, string>();
    header.forEach((name, k) => {
      values.set(name, (record.fields[k] ?? '').trim());
    });
    rows.push({ line: record.line, values });
  }
  return { header, headerLine: head.line, rows, problems };
}
