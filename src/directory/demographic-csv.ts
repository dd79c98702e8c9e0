/**
 * Reads a demographic file: a CSV with a header row, one person per row, keyed on one crosswalk id
 * (uniqueId or custom1–custom4, as the scheduling system exports it) with a column per contact point
 * (pager, phone, e-mail, SIP address). The file as a whole must read (grammar, header, field counts, the
 * usual signs of a file cut off while copied); a row whose value is not a contact point of its kind is
 * reported and left out, never half applied.
 */
import { readCsv } from '../kit/csv.ts';
import type { ContactKind, ContactPoint } from './types.ts';

/** One contact column: which header, what kind of contact point it holds. */
export interface ContactColumn {
  column: string;
  kind: ContactKind;
  label?: string;
  /** For pager and e-mail contacts: the paging carrier that serves them. */
  carrier?: string;
}

export interface DemographicLayout {
  /** The header holding each person's key. */
  keyColumn: string;
  contacts: readonly ContactColumn[];
}

export interface DemographicRow {
  line: number;
  key: string;
  contacts: ContactPoint[];
}

export interface RowProblem {
  line: number;
  key: string;
  message: string;
}

export type DemographicRead =
  | { ok: true; rows: DemographicRow[]; invalid: RowProblem[] }
  | { ok: false; problems: string[] };

const checks: Record<ContactKind, { test: (v: string) => boolean; says: string }> = {
  pager: { test: (v) => /^\+?[\d\s().-]{3,}$/.test(v), says: 'a pager number (digits)' },
  phone: { test: (v) => /^\+?[\d\s().-]{3,}(?:\s*(?:x|ext\.?)\s*\d+)?$/i.test(v), says: 'a phone number' },
  email: { test: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), says: 'an e-mail address' },
  sip: { test: (v) => /^sips?:[^\s@]+@[^\s@]+$/i.test(v), says: 'a SIP address (sip:user@host)' },
  app: { test: (v) => /^\S+$/.test(v), says: 'an app account name' },
};

export function readDemographicCsv(text: string, layout: DemographicLayout): DemographicRead {
  const problems: string[] = [];
  const read = readCsv(text);
  for (const p of read.problems) problems.push(`line ${p.line}: ${p.message}`);
  const [header, ...records] = read.records;
  if (!header) return { ok: false, problems: [...problems, 'the file is empty (no header row)'] };
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const indexOf = (column: string) => {
    const i = names.indexOf(column.toLowerCase());
    if (i < 0) problems.push(`line ${header.line}: the header has no column "${column}"`);
    return i;
  };
  const keyAt = indexOf(layout.keyColumn);
  const contactAt = layout.contacts.map((c) => indexOf(c.column));
  if (problems.length > 0) return { ok: false, problems };
  if (records.length === 0) return { ok: false, problems: ['the file has a header and no rows'] };

  const rows: DemographicRow[] = [];
  const invalid: RowProblem[] = [];
  for (const record of records) {
    if (record.fields.length !== names.length) {
      problems.push(
        `line ${record.line}: has ${record.fields.length} fields; the header has ${names.length} (a file cut off?)`,
      );
      continue;
    }
    const key = record.fields[keyAt].trim();
    if (!key) {
      invalid.push({ line: record.line, key: '', message: `no ${layout.keyColumn}: the row names nobody` });
      continue;
    }
    const contacts: ContactPoint[] = [];
    const bad: string[] = [];
    layout.contacts.forEach((c, i) => {
      const value = record.fields[contactAt[i]].trim();
      if (!value) return;
      if (!checks[c.kind].test(value)) bad.push(`${c.column} "${value}" is not ${checks[c.kind].says}`);
      else
        contacts.push({
          kind: c.kind,
          address: value,
          ...(c.label ? { label: c.label } : {}),
          ...(c.carrier ? { carrier: c.carrier } : {}),
        });
    });
    if (bad.length > 0) invalid.push({ line: record.line, key, message: bad.join('; ') });
    else rows.push({ line: record.line, key, contacts });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rows, invalid };
}
