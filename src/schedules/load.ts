import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigProblem } from '../kit/config-errors.ts';
import { SectionChecks } from '../kit/section-checks.ts';
import { readYamlDir, type YamlFile } from '../kit/yaml-files.ts';
import { isValidZone } from '../kit/zone-clock.ts';
import { type Assignment, type AssignmentType, assignmentTypes, type Shift } from '../store/schedule-port.ts';
import { readCsvShifts } from './csv-shifts.ts';
import { parseTimeOfDay } from './local-time.ts';
import { expandRotation, type Rotation } from './rotation.ts';
import { buildShift, type ShiftContext } from './shift-record.ts';

/** The top-level key this loader owns in the configuration folder. */
export const schedulesKey = 'schedules';

/** The config-owned shift sources; anything else in the store (e.g. 'amion') was written by a sync. */
export const yamlSource = 'yaml';
export const demoSource = 'demo';
export const csvSource = (file: string): string => `csv:${file}`;
export const isConfigSource = (source: string): boolean =>
  source === yamlSource || source === demoSource || source.startsWith('csv:');

export interface ScheduleConfig {
  assignments: Assignment[];
  /**
   * Shifts by source ('yaml', 'csv:<file>', 'demo'). Each source is replaced as a whole in the store;
   * a source with no shifts is listed with [] so that its old shifts are removed.
   */
  sources: Map<string, Shift[]>;
  /** Kept so the caller can regenerate the demo rotation each day (see `expandRotations`). */
  rotations: Rotation[];
}

export interface ScheduleLoadOptions {
  /** The site's IANA zone (config `site.timezone`); shift times in the files are local to it. */
  zone: string;
  /** Whether a person or placeholder id exists in the directory (schedules may not import directory). */
  knownPeople: (id: string) => boolean;
  /** Where `csv:` paths are relative to. Defaults to the folder given to `loadSchedules`. */
  configDir?: string;
  /** "Today" for the demo rotation. @defaultValue new Date() */
  now?: Date;
}

const sectionKeys = ['assignments', 'shifts', 'csv', 'rotations'];
const assignmentKeys = ['id', 'name', 'type', 'department'];
const shiftKeys = ['assignment', 'person', 'start', 'end', 'callOrder', 'notes', 'published'];
const rotationKeys = [
  'assignment',
  'people',
  'shiftHours',
  'handoff',
  'callOrder',
  'daysBefore',
  'daysAfter',
  'notes',
];

/**
 * Loads `schedules:` from a YAML file, or from whichever file in a config folder holds it (none: an empty
 * schedule). Reports every problem with file, line and key. When `problems` is not empty, `value` holds
 * only what was valid: do not apply it (keep the running schedule).
 */
export function loadSchedules(
  source: YamlFile | string,
  options: ScheduleLoadOptions,
): { value: ScheduleConfig; problems: ConfigProblem[] } {
  const value: ScheduleConfig = { assignments: [], sources: new Map(), rotations: [] };
  const problems: ConfigProblem[] = [];
  if (!isValidZone(options.zone)) {
    problems.push({
      file: 'site',
      key: 'site.timezone',
      message: `${options.zone} is not an IANA time zone`,
    });
    return { value, problems };
  }
  const files = typeof source === 'string' ? readYamlDir(source) : [source];
  const configDir = options.configDir ?? (typeof source === 'string' ? source : undefined);
  const owners = files.filter((f) => hasKey(f, schedulesKey));
  for (const extra of owners.slice(1)) {
    problems.push({
      file: extra.name,
      line: extra.lineOf([schedulesKey]),
      key: schedulesKey,
      message: `already set in ${owners[0].name}; a top-level key lives in one file`,
    });
  }
  const file = owners[0];
  if (!file) return { value, problems };
  const syntax = file.syntaxProblems();
  if (syntax.length) return { value, problems: [...problems, ...syntax] };

  const checks = new SectionChecks(file);
  const root = [schedulesKey];
  const section = checks.mapping((file.value as Record<string, unknown>)[schedulesKey], root, sectionKeys);
  if (section) {
    value.assignments = readAssignments(checks, section.assignments);
    const known = new Set(value.assignments.map((a) => a.id));
    const ctx = (src: string): ShiftContext => ({
      zone: options.zone,
      source: src,
      knownAssignment: (id) => known.has(id),
      knownPeople: options.knownPeople,
    });
    value.sources.set(yamlSource, readShifts(checks, section.shifts, ctx(yamlSource)));
    for (const [src, shifts] of readCsvFiles(checks, section.csv, configDir, ctx))
      value.sources.set(src, shifts);
    value.rotations = readRotations(checks, section.rotations, known, options.knownPeople);
    value.sources.set(demoSource, expandRotations(value.rotations, options.zone, options.now ?? new Date()));
  }
  problems.push(...checks.problems);
  return { value, problems };
}

/** The demo rotation's shifts around `now`; call it again each day to keep "today" covered. */
export function expandRotations(rotations: readonly Rotation[], zone: string, now: Date): Shift[] {
  return rotations.flatMap((r, i) => expandRotation(r, zone, now, demoSource, i));
}

function hasKey(file: YamlFile, key: string): boolean {
  const v = file.value;
  return v !== null && typeof v === 'object' && !Array.isArray(v) && key in v;
}

function readAssignments(checks: SectionChecks, raw: unknown): Assignment[] {
  const out: Assignment[] = [];
  const ids = new Set<string>();
  checks.list(raw, [schedulesKey, 'assignments']).forEach((item, i) => {
    const path = [schedulesKey, 'assignments', i];
    const a = checks.mapping(item, path, assignmentKeys);
    if (!a) return;
    const id = checks.text(a.id, [...path, 'id'], true);
    const name = checks.text(a.name, [...path, 'name'], true);
    const type = checks.text(a.type, [...path, 'type'], true);
    const department = checks.text(a.department, [...path, 'department'], false) ?? '';
    if (type !== undefined && !assignmentTypes.includes(type as AssignmentType)) {
      checks.report([...path, 'type'], `must be one of ${assignmentTypes.join(', ')}`);
      return;
    }
    if (id !== undefined && ids.has(id)) {
      checks.report([...path, 'id'], `duplicates assignment ${id}`);
      return;
    }
    if (id === undefined || name === undefined || type === undefined) return;
    ids.add(id);
    out.push({ id, name, type: type as AssignmentType, department });
  });
  return out;
}

function readShifts(checks: SectionChecks, raw: unknown, ctx: ShiftContext): Shift[] {
  const out: Shift[] = [];
  const ids = new Set<string>();
  for (const [i, item] of checks.list(raw, [schedulesKey, 'shifts']).entries()) {
    const path = [schedulesKey, 'shifts', i];
    const fields = checks.mapping(item, path, shiftKeys);
    if (!fields) continue;
    const shift = buildShift(fields, ctx, (field, message) => checks.report([...path, field], message));
    if (!shift) continue;
    if (ids.has(shift.id)) {
      checks.report(path, 'repeats an earlier shift (same shift twice)');
      continue;
    }
    ids.add(shift.id);
    out.push(shift);
  }
  return out;
}

function readCsvFiles(
  checks: SectionChecks,
  raw: unknown,
  configDir: string | undefined,
  ctx: (source: string) => ShiftContext,
): Array<[string, Shift[]]> {
  const out: Array<[string, Shift[]]> = [];
  for (const [i, item] of checks.list(raw, [schedulesKey, 'csv']).entries()) {
    const path = [schedulesKey, 'csv', i];
    const name = checks.text(item, path, true);
    if (name === undefined) continue;
    if (configDir === undefined) {
      checks.report(path, 'cannot be read: the config folder is not known');
      continue;
    }
    let text: string;
    try {
      text = readFileSync(resolve(configDir, name), 'utf8');
    } catch (error) {
      checks.report(path, `cannot be read: ${(error as Error).message}`);
      continue;
    }
    const result = readCsvShifts(text, name, ctx(csvSource(name)));
    checks.problems.push(...result.problems);
    out.push([csvSource(name), result.shifts]);
  }
  return out;
}

function readRotations(
  checks: SectionChecks,
  raw: unknown,
  assignments: Set<string>,
  knownPeople: (id: string) => boolean,
): Rotation[] {
  const out: Rotation[] = [];
  checks.list(raw, [schedulesKey, 'rotations']).forEach((item, i) => {
    const path = [schedulesKey, 'rotations', i];
    const r = checks.mapping(item, path, rotationKeys);
    if (!r) return;
    const before = checks.problems.length;
    const assignmentId = checks.text(r.assignment, [...path, 'assignment'], true);
    if (assignmentId !== undefined && !assignments.has(assignmentId)) {
      checks.report([...path, 'assignment'], `names no assignment: ${assignmentId}`);
    }
    const people: string[] = [];
    const list = checks.list(r.people, [...path, 'people']);
    if (list.length === 0) checks.report([...path, 'people'], 'must list at least one person');
    list.forEach((p, j) => {
      const id = checks.text(p, [...path, 'people', j], true);
      if (id === undefined) return;
      if (!knownPeople(id)) checks.report([...path, 'people', j], `names nobody in the directory: ${id}`);
      else people.push(id);
    });
    const shiftHours = checks.whole(r.shiftHours, [...path, 'shiftHours'], 1, 24, 24);
    if (24 % shiftHours !== 0) {
      checks.report([...path, 'shiftHours'], 'must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)');
    }
    const handoffText = checks.text(r.handoff, [...path, 'handoff'], false) ?? '07:00';
    const handoffMinutes = parseTimeOfDay(handoffText);
    if (handoffMinutes === undefined) {
      checks.report([...path, 'handoff'], `must be a local time of day in quotes, e.g. '07:00'`);
    }
    const rotation: Rotation = {
      assignmentId: assignmentId ?? '',
      people,
      shiftHours,
      handoffMinutes: handoffMinutes ?? 0,
      callOrder: checks.whole(r.callOrder, [...path, 'callOrder'], 1, 99, 1),
      daysBefore: checks.whole(r.daysBefore, [...path, 'daysBefore'], 0, 366, 7),
      daysAfter: checks.whole(r.daysAfter, [...path, 'daysAfter'], 0, 366, 28),
      notes: checks.text(r.notes, [...path, 'notes'], false),
    };
    if (checks.problems.length === before) out.push(rotation);
  });
  return out;
}
