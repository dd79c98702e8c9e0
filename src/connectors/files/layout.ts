/**
 * A file layout: what a receiving system's import expects, as configuration an interface analyst can
 * change without a release (columns and their headers, date and time formats, the zone times are written
 * in, delimiter, quoting, the file name with its date). Every export ships its default layout (the
 * fields its catalog entry names); a site's connector config overrides any part of it.
 */
import { type CsvDialect, fieldWriter, lineChunks, recordWriter } from './csv-writer.ts';
import { compileDatePattern, type DateWriter } from './date-pattern.ts';

/** An instant to be written in a zone of its own (an OR in another time zone than the site). */
export class ZonedInstant {
  constructor(
    readonly instant: Date,
    readonly zone: string,
  ) {}
  toJSON(): string {
    return this.instant.toISOString();
  }
}

/**
 * A value an export puts in a record; a Date is an instant, written in the layout's zone, a ZonedInstant
 * in its own.
 */
export type FieldValue = string | number | boolean | Date | ZonedInstant | null | undefined;

/** One record of an export, by field name ('start', 'teamId', 'providerId', ...). */
export type ExportRecord = Readonly<Record<string, FieldValue>>;

export interface LayoutColumn {
  /** The record's field this column writes. */
  field: string;
  /** The column's header text. @defaultValue the field name */
  header?: string;
  /**
   * For a date field: 'date', 'time' or 'datetime' (the layout's formats), or a pattern of its own
   * ('MM/dd/yyyy'). @defaultValue 'datetime'
   */
  format?: string;
}

export interface FileLayout {
  columns: LayoutColumn[];
  /** Write a header record. @defaultValue true */
  header: boolean;
  delimiter: string;
  quote: 'minimal' | 'all';
  lineEnding: 'crlf' | 'lf';
  dateFormat: string;
  timeFormat: string;
  dateTimeFormat: string;
  /** IANA zone for every written time and for the date in the file name. @defaultValue the site's zone */
  timeZone: string;
  /** What true and false are written as. @defaultValue ['Y', 'N'] */
  booleans: [string, string];
  /**
   * Text that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return)
   * is written with a leading apostrophe, so a note typed by a scheduler cannot become a formula in the
   * file someone opens in Excel. For files people open; an import reads the text as it is. @defaultValue false
   */
  spreadsheetSafe?: boolean;
  /**
   * The file name; `{pattern}` is the generation time in the layout's zone ('oncall_{yyyyMMdd_HHmm}.csv'),
   * `{connector}` the connector's id.
   */
  fileName: string;
}

/** What a site may write in its connector config: any part of the layout; the rest is the default's. */
export type LayoutOverride = Partial<FileLayout>;

export function mergeLayout(defaults: FileLayout, override: LayoutOverride | undefined): FileLayout {
  return { ...defaults, ...(override ?? {}) };
}

/** The parts of a layout that can be wrong, as messages naming the key (for config validation). */
export function layoutProblems(
  layout: FileLayout,
  fields: readonly string[],
): Array<{ key: string; message: string }> {
  const problems: Array<{ key: string; message: string }> = [];
  const check = (key: string, pattern: string) => {
    try {
      compileDatePattern(pattern, layout.timeZone);
    } catch (e) {
      problems.push({ key, message: (e as Error).message });
    }
  };
  check('timeZone', 'yyyy');
  check('dateFormat', layout.dateFormat);
  check('timeFormat', layout.timeFormat);
  check('dateTimeFormat', layout.dateTimeFormat);
  if (layout.delimiter.length !== 1 || layout.delimiter === '"' || /[\r\n]/.test(layout.delimiter)) {
    problems.push({ key: 'delimiter', message: 'must be one character other than a quote or a line break' });
  }
  if (layout.columns.length === 0)
    problems.push({ key: 'columns', message: 'must list at least one column' });
  layout.columns.forEach((c, i) => {
    if (!fields.includes(c.field)) {
      problems.push({
        key: `columns.${i}.field`,
        message: `unknown field ${c.field}; known: ${fields.join(', ')}`,
      });
    }
    if (c.format && !['date', 'time', 'datetime'].includes(c.format)) check(`columns.${i}.format`, c.format);
  });
  if (!/\S/.test(layout.fileName) || /[/\\]/.test(layout.fileName)) {
    problems.push({ key: 'fileName', message: 'must be a file name without a folder' });
  }
  return problems;
}

/** What Excel and LibreOffice take as the start of a formula (OWASP's list for CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A layout made ready to write: headers, one writer per column, the CSV dialect. */
export class CompiledLayout {
  readonly headers: string[];
  readonly dialect: CsvDialect;
  private readonly writers: Array<(r: ExportRecord) => string>;
  private readonly quoted: (value: string) => string;
  private readonly nameParts: Array<string | DateWriter>;

  constructor(readonly layout: FileLayout) {
    const formats: Record<string, string> = {
      date: layout.dateFormat,
      time: layout.timeFormat,
      datetime: layout.dateTimeFormat,
    };
    const [yes, no] = layout.booleans;
    const safe = layout.spreadsheetSafe === true;
    this.headers = layout.columns.map((c) => c.header ?? c.field);
    this.writers = layout.columns.map((c) => {
      const pattern = formats[c.format ?? 'datetime'] ?? c.format!;
      const writeDate = compileDatePattern(pattern, layout.timeZone);
      const inZone = new Map<string, (d: Date) => string>();
      const writeZoned = (v: ZonedInstant) => {
        let write = inZone.get(v.zone);
        if (!write) {
          write = compileDatePattern(pattern, v.zone);
          inZone.set(v.zone, write);
        }
        return write(v.instant);
      };
      const field = c.field;
      return (r) => {
        const v = r[field];
        if (v === null || v === undefined) return '';
        if (v instanceof Date) return writeDate(v);
        if (v instanceof ZonedInstant) return writeZoned(v);
        if (typeof v === 'boolean') return v ? yes : no;
        const text = String(v);
        return safe && typeof v === 'string' && FORMULA_START.test(text) ? `'${text}` : text;
      };
    });
    this.dialect = {
      delimiter: layout.delimiter,
      quote: layout.quote,
      lineEnding: layout.lineEnding === 'lf' ? '\n' : '\r\n',
    };
    this.quoted = fieldWriter(this.dialect);
    this.nameParts = layout.fileName
      .split(/(\{[^}]*\})/)
      .filter((p) => p !== '')
      .map((p) =>
        p.startsWith('{') && p !== '{connector}' ? compileDatePattern(p.slice(1, -1), layout.timeZone) : p,
      );
  }

  fields(record: ExportRecord): string[] {
    return this.writers.map((w) => w(record));
  }

  fileName(at: Date, connectorId: string): string {
    return this.nameParts
      .map((p) => (typeof p === 'string' ? (p === '{connector}' ? connectorId : p) : p(at)))
      .join('');
  }

  /** A record as one line of the file, with its line ending (its fields written straight into it). */
  line(record: ExportRecord): string {
    const { writers, quoted } = this;
    const { delimiter, lineEnding } = this.dialect;
    if (writers.length === 0) return lineEnding;
    let out = quoted(writers[0](record));
    for (let i = 1; i < writers.length; i++) out += delimiter + quoted(writers[i](record));
    return out + lineEnding;
  }

  /** The whole file as chunks, pulling records from `records` as the consumer reads. */
  chunks(records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>): AsyncGenerator<Buffer> {
    return this.chunksOf(records, (r) => r);
  }

  /** As chunks, each record taken from an item by `recordOf` (which may count it on the way). */
  chunksOf<T>(
    items: AsyncIterable<T> | Iterable<T>,
    recordOf: (item: T) => ExportRecord,
  ): AsyncGenerator<Buffer> {
    const header = this.layout.header ? recordWriter(this.dialect)(this.headers) : '';
    return lineChunks(header, items, (item) => this.line(recordOf(item)));
  }
}
