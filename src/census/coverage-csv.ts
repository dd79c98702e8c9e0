/**
 * Reads a staff coverage CSV (what a staffing office exports from its spreadsheet), per RFC 4180:
 * comma-separated fields, a field in double quotes may hold commas, line breaks and doubled quotes.
 * A bare LF ends a record as CRLF does, and a leading BOM is skipped (spreadsheets write one).
 * Each row keeps the line it starts on so that a problem can be shown where the analyst will look.
 */

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
  problems: Array<{ line: number; message: string }>;
}

/** Splits the text into records of raw fields, each with its starting line. */
function records(text: string, problems: CsvTable['problems']): Array<{ line: number; fields: string[] }> {
  const out: Array<{ line: number; fields: string[] }> = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let fields: string[] = [];
  let field = '';
  let start = line;
  let quoted = false;
  let wasQuoted = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0].trim() === '' && !wasQuoted)) out.push({ line: start, fields });
    fields = [];
    field = '';
    wasQuoted = false;
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field.trim() === '') {
      quoted = true;
      wasQuoted = true;
      field = '';
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += c;
  }
  if (quoted) problems.push({ line: start, message: 'a quoted field is never closed' });
  if (field !== '' || fields.length > 0 || wasQuoted) endRecord();
  return out;
}

/** Parses a CSV with a header row; blank lines are skipped, a row with too many fields is reported. */
export function readCsvTable(text: string): CsvTable {
  const problems: CsvTable['problems'] = [];
  const all = records(text, problems);
  if (all.length === 0) return { header: [], headerLine: 1, rows: [], problems };
  const [head, ...body] = all;
  const header = head.fields.map((h) => h.trim().toLowerCase());
  const rows: CsvRow[] = [];
  for (const record of body) {
    if (record.fields.length > header.length) {
      problems.push({
        line: record.line,
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
