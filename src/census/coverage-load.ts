/**
 * Loads `coverage:` from the configuration folder, and the CSV files it names, reporting every problem
 * at once with file, line and key, the way the main loader does.
 *
 *   coverage:
 *     shifts:                                  # optional named windows, local time in site.timezone
 *       day:   { start: '07:00', end: '19:00' }
 *       night: { start: '19:00', end: '07:00' }
 *     staff:
 *       - { person: rn-alvarez, role: nurse, unit: 4W, beds: [401-A, 401-B], shift: day }
 *       - { person: charge-4w, role: charge-nurse, unit: 4W }     # whole unit, around the clock
 *       - { person: tech-boyd, role: tech, unit: ICU, start: '19:00', end: '07:00' }
 *     csv: [coverage-ed.csv]                   # header: person,role,unit,beds,start,end[,shift]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigProblem } from '../kit/config-errors.ts';
import { readYamlDir, type YamlFile } from '../kit/yaml-files.ts';
import { readCsvTable } from './coverage-csv.ts';
import type { CoveragePlan, StaffCoverage } from './coverage-plan.ts';
import { parseClock, type ShiftWindow } from './shift-window.ts';

/** The top-level key this loader owns in the configuration folder. */
export const coverageKey = 'coverage';

export interface CoverageLoadOptions {
  /** Whether a person or placeholder id exists in the directory (census may not import directory). */
  knownPeople?: (id: string) => boolean;
  /** Where `csv:` paths are relative to. Defaults to the folder given to `loadCoverage`. */
  configDir?: string;
}

const sectionKeys = ['shifts', 'staff', 'csv'];
const entryKeys = ['person', 'role', 'unit', 'beds', 'shift', 'start', 'end'];
const csvColumns = ['person', 'role', 'unit', 'beds', 'start', 'end', 'shift'];
const requiredColumns = ['person', 'role', 'unit'];

type Report = (path: Array<string | number>, message: string) => void;

/** A scalar as text: YAML reads `unit: 4` as a number, which is still a fine unit name. */
function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a start/end pair; both or neither. */
function readWindow(
  start: unknown,
  end: unknown,
  report: (key: 'start' | 'end', message: string) => void,
): ShiftWindow | undefined | null {
  const hasStart = start !== undefined && start !== '';
  const hasEnd = end !== undefined && end !== '';
  if (!hasStart && !hasEnd) return undefined;
  if (!hasStart || !hasEnd) {
    report(hasStart ? 'end' : 'start', 'is required when the other end of the window is given');
    return null;
  }
  const s = typeof start === 'string' ? parseClock(start) : undefined;
  const e = typeof end === 'string' ? parseClock(end, true) : undefined;
  const hint = "must be a local time 'HH:MM' (quote it in YAML)";
  if (s === undefined) report('start', hint);
  if (e === undefined) report('end', hint);
  return s === undefined || e === undefined ? null : { start: s, end: e };
}

interface RawEntry {
  person: unknown;
  role: unknown;
  unit: unknown;
  beds: unknown;
  shift: unknown;
  start: unknown;
  end: unknown;
}

/**
 * Validates one entry (from YAML or a CSV row); `report` locates a problem by the entry's key.
 * Returns undefined when anything about the entry is wrong, so a half-valid entry is never used.
 */
function readEntry(
  raw: RawEntry,
  shifts: Map<string, ShiftWindow>,
  options: CoverageLoadOptions,
  origin: StaffCoverage['origin'],
  report: (key: string, message: string) => void,
): StaffCoverage | undefined {
  let ok = true;
  const fail = (key: string, message: string) => {
    ok = false;
    report(key, message);
  };
  const person = scalar(raw.person);
  if (!person) fail('person', 'is required: the directory id of who covers');
  else if (options.knownPeople && !options.knownPeople(person))
    fail('person', `${person} is not in the directory`);
  const role = scalar(raw.role);
  if (!role) fail('role', "is required, e.g. 'nurse', 'tech' or 'charge-nurse'");
  const unit = scalar(raw.unit);
  if (!unit) fail('unit', 'is required: the point of care as PV1-3.1 sends it, e.g. 4W');

  const beds: string[] = [];
  if (raw.beds !== undefined && raw.beds !== null) {
    if (!Array.isArray(raw.beds)) fail('beds', 'must be a list of bed labels, e.g. [401-A, 401-B]');
    else {
      raw.beds.forEach((b) => {
        const label = scalar(b);
        if (!label) fail('beds', 'holds an empty or non-text bed label');
        else if (!beds.some((x) => x.toUpperCase() === label.toUpperCase())) beds.push(label);
      });
    }
  }

  let window: ShiftWindow | undefined;
  const shiftName = scalar(raw.shift);
  if (shiftName) {
    if ((raw.start ?? '') !== '' || (raw.end ?? '') !== '') {
      fail('shift', 'is given together with start/end: use one or the other');
    } else if (!shifts.has(shiftName)) {
      const known = [...shifts.keys()];
      fail(
        'shift',
        `${shiftName} is not a shift in coverage.shifts${known.length ? ` (${known.join(', ')})` : ''}`,
      );
    } else window = shifts.get(shiftName);
  } else {
    const w = readWindow(raw.start, raw.end, fail);
    if (w === null) ok = false;
    else window = w;
  }
  if (!ok || !person || !role || !unit) return undefined;
  const entry: StaffCoverage = { person, role, unit, beds, origin };
  if (window) entry.window = window;
  if (shiftName) entry.shift = shiftName;
  return entry;
}

/**
 * Loads `coverage:` from a YAML file, or from whichever file in a config folder holds it (none: an
 * empty plan). When `problems` is not empty, `value` holds only the valid entries: do not apply it
 * (keep the running plan).
 */
export function loadCoverage(
  source: YamlFile | string,
  options: CoverageLoadOptions = {},
): { value: CoveragePlan; problems: ConfigProblem[] } {
  const value: CoveragePlan = { entries: [] };
  const problems: ConfigProblem[] = [];
  const files = typeof source === 'string' ? readYamlDir(source) : [source];
  const configDir = options.configDir ?? (typeof source === 'string' ? source : undefined);
  const owners = files.filter((f) => isMapping(f.value) && coverageKey in (f.value as object));
  for (const extra of owners.slice(1)) {
    problems.push({
      file: extra.name,
      line: extra.lineOf([coverageKey]),
      key: coverageKey,
      message: `already set in ${owners[0].name}; a top-level key lives in one file`,
    });
  }
  const file = owners[0];
  if (file === undefined) return { value, problems };
  problems.push(...file.syntaxProblems());
  const report: Report = (path, message) =>
    problems.push({ file: file.name, line: file.lineOf(path), key: path.join('.'), message });

  const section = (file.value as Record<string, unknown>)[coverageKey];
  if (section === null || section === undefined) return { value, problems };
  if (!isMapping(section)) {
    report([coverageKey], 'must be a mapping with staff:, and optionally shifts: and csv:');
    return { value, problems };
  }
  for (const key of Object.keys(section)) {
    if (!sectionKeys.includes(key))
      report([coverageKey, key], `is not a known key (${sectionKeys.join(', ')})`);
  }

  const shifts = readShifts(section.shifts, report);

  const staff = section.staff ?? [];
  if (!Array.isArray(staff)) report([coverageKey, 'staff'], 'must be a list of coverage entries');
  else {
    staff.forEach((raw, i) => {
      const at = [coverageKey, 'staff', i];
      if (!isMapping(raw)) {
        report(at, 'must be a mapping with person, role, unit and optionally beds, shift or start/end');
        return;
      }
      for (const key of Object.keys(raw)) {
        if (!entryKeys.includes(key)) report([...at, key], `is not a known key (${entryKeys.join(', ')})`);
      }
      const entry = readEntry(
        raw as unknown as RawEntry,
        shifts,
        options,
        { file: file.name, line: file.lineOf(at) },
        (key, message) => report([...at, key], message),
      );
      if (entry) value.entries.push(entry);
    });
  }

  const csv = section.csv ?? [];
  if (!Array.isArray(csv)) report([coverageKey, 'csv'], 'must be a list of CSV file names');
  else {
    csv.forEach((name, i) => {
      const at = [coverageKey, 'csv', i];
      if (typeof name !== 'string' || name.trim() === '') {
        report(at, 'must be a CSV file name');
        return;
      }
      if (configDir === undefined) {
        report(at, 'cannot be read: no configuration folder was given');
        return;
      }
      let text: string;
      try {
        text = readFileSync(join(configDir, name), 'utf8');
      } catch (error) {
        report(at, `cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
        return;
      }
      value.entries.push(...readCoverageCsv(name, text, shifts, options, problems));
    });
  }
  return { value, problems };
}

function readShifts(raw: unknown, report: Report): Map<string, ShiftWindow> {
  const shifts = new Map<string, ShiftWindow>();
  if (raw === undefined || raw === null) return shifts;
  if (!isMapping(raw)) {
    report([coverageKey, 'shifts'], "must map shift names to { start: 'HH:MM', end: 'HH:MM' }");
    return shifts;
  }
  for (const [name, w] of Object.entries(raw)) {
    const at = [coverageKey, 'shifts', name];
    if (!isMapping(w)) {
      report(at, "must be { start: 'HH:MM', end: 'HH:MM' }");
      continue;
    }
    for (const key of Object.keys(w)) {
      if (key !== 'start' && key !== 'end') report([...at, key], 'is not a known key (start, end)');
    }
    const window = readWindow(w.start, w.end, (key, message) => report([...at, key], message));
    if (window === undefined) report(at, 'needs start and end');
    else if (window !== null) shifts.set(name, window);
  }
  return shifts;
}

/** Rows of one coverage CSV file; `name` is the file as written in `coverage.csv`. */
export function readCoverageCsv(
  name: string,
  text: string,
  shifts: Map<string, ShiftWindow>,
  options: CoverageLoadOptions,
  problems: ConfigProblem[],
): StaffCoverage[] {
  const table = readCsvTable(text);
  for (const p of table.problems) problems.push({ file: name, line: p.line, key: p.key, message: p.message });
  const missing = requiredColumns.filter((c) => !table.header.includes(c));
  if (missing.length > 0) {
    problems.push({
      file: name,
      line: table.headerLine,
      key: missing.join(', '),
      message: `the header row needs the column(s) ${missing.join(', ')} (columns: ${csvColumns.join(',')})`,
    });
    return [];
  }
  for (const column of table.header) {
    if (!csvColumns.includes(column)) {
      problems.push({
        file: name,
        line: table.headerLine,
        key: column,
        message: `is not a known column (${csvColumns.join(', ')})`,
      });
    }
  }
  const entries: StaffCoverage[] = [];
  for (const row of table.rows) {
    const get = (c: string) => row.values.get(c) ?? '';
    const bedsText = get('beds');
    const entry = readEntry(
      {
        person: get('person'),
        role: get('role'),
        unit: get('unit'),
        // Within one cell, beds are separated by spaces, semicolons or commas (in a quoted cell).
        beds: bedsText === '' ? [] : bedsText.split(/[\s;,|]+/).filter((b) => b !== ''),
        shift: get('shift'),
        start: get('start'),
        end: get('end'),
      },
      shifts,
      options,
      { file: name, line: row.line },
      (key, message) => problems.push({ file: name, line: row.line, key, message }),
    );
    if (entry) entries.push(entry);
  }
  return entries;
}
