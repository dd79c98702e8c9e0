/**
 * A small CSV reader after RFC 4180: records end with CRLF (a bare LF is accepted too, since files edited
 * on Linux or macOS have them), fields are separated by commas, a field may be enclosed in double quotes
 * and then hold commas, line breaks and doubled quotes ("" stands for "). Pure: text in, records out.
 */

export interface CsvRecord {
  /** 1-based line on which the record starts (a quoted field may carry it over several lines). */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  message: string;
}

export interface CsvResult {
  records: CsvRecord[];
  problems: CsvProblem[];
}

/** Parses `text`; a record that breaks the grammar is reported and skipped, the rest still parse. */
export function parseCsv(text: string): CsvResult {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 BOM written by spreadsheet programs
  let line = 1;
  const n = text.length;

  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let broken: string | undefined;
    // One record: fields until an unquoted line break or the end of the text.
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        // RFC 4180 §2 rules 5–7: quoted field, "" escapes a quote, line breaks allowed inside.
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        if (!closed) broken ??= 'a quoted field is never closed';
        else if (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
          broken ??= 'text after a closing quote (write "" for a quote inside a quoted field)';
          while (i < n && text[i] !== ',' && text[i] !== '\n') i++;
        }
      } else {
        const from = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        value = text.slice(from, i);
        // RFC 4180 §2 rule 5: a field that is not enclosed may not contain a quote.
        if (value.includes('"')) broken ??= 'a quote inside a field that does not start with a quote';
      }
      fields.push(value);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') {
      i++;
      line++;
    } else if (i < n) {
      // A lone CR inside an unquoted field: treat it as the end of the record.
      line++;
    }
    if (broken) problems.push({ line: startLine, message: broken });
    else if (!(fields.length === 1 && fields[0] === '')) records.push({ line: startLine, fields });
  }
  return { records, problems };
}
