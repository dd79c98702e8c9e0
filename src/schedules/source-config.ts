import type { ConfigProblem } from '../kit/config-errors.ts';
import { type KeyPath, SectionChecks } from '../kit/section-checks.ts';
import { readYamlDir, type YamlFile } from '../kit/yaml-files.ts';
import { isConfigSource } from './load.ts';
import { findSourceKind } from './sources/kinds.ts';
import type { SourceKind } from './sources/source.ts';

/** The top-level key this loader owns in the configuration folder (config/sources.yaml). */
export const sourcesKey = 'sources';

/** A source staff field matched against one crosswalk id of the directory. */
export interface PeopleMatch {
  /** The source's field, e.g. StaffKey, Abbrev, Unique ID. */
  field: string;
  /** The directory's crosswalk kind, e.g. uniqueId, custom2, npi, abbreviation, or 'id'. */
  match: string;
}

/** Rows whose task fields all equal `task` are shifts of `assignment` at `callOrder`. */
export interface AssignmentMatch {
  task: Readonly<Record<string, string>>;
  assignment: string;
  callOrder: number;
}

/** One scheduling source, as sources.yaml describes it; defaults filled in. */
export interface SourceSettings {
  id: string;
  kind: string;
  enabled: boolean;
  /** Pull every this many minutes. @defaultValue 15 */
  everyMinutes: number;
  /** The window pulled around now, in days. @defaultValue 0 back, 2 forward (48 hours) */
  daysBack: number;
  daysForward: number;
  /** Past this long without a good sync the source is stale. @defaultValue 4 × everyMinutes, at least 60 */
  staleAfterMinutes: number;
  /** A sync that removes more than this share of the next 48 hours' shifts is held. @defaultValue 0.3 */
  massDeleteShare: number;
  /** Tried in order; the first field the row has and the directory knows decides. */
  people: PeopleMatch[];
  assignments: AssignmentMatch[];
  /** Page the incoming and outgoing clinician of a changed shift. @defaultValue false */
  notifyAffected: boolean;
  /** At most one e-mail digest of unmapped rows per this many minutes. @defaultValue 1440 */
  unmappedDigestMinutes: number;
  /** The kind's own options, as its readOptions returned them. */
  options: unknown;
}

export interface SourceConfig {
  sources: SourceSettings[];
  /** Each source's kind, to build its client. */
  kindOf: (id: string) => SourceKind | undefined;
}

export interface SourceLoadOptions {
  env: NodeJS.ProcessEnv;
  /** Our assignment ids (from schedules:), which a mapping must name. */
  assignments: ReadonlySet<string>;
  /** The crosswalk kinds a people match may name (directory ExternalIdKind, plus 'id'). */
  idKinds: readonly string[];
  /** @defaultValue findSourceKind (the registry in sources/kinds.ts) */
  findKind?: (kind: string) => SourceKind | undefined;
}

const sourceKeys = [
  'id',
  'kind',
  'enabled',
  'everyMinutes',
  'window',
  'staleAfterMinutes',
  'massDeleteShare',
  'people',
  'assignments',
  'notifyAffected',
  'unmappedDigestMinutes',
  'options',
];

/**
 * Loads `sources:` from whichever file in the config folder holds it (none: no synced sources). Every
 * problem is reported with file, line and key, including those a kind finds in its `options:`.
 * `${NAME}` in options is replaced with the environment variable NAME (how credentials get in).
 */
export function loadSources(
  source: YamlFile | string,
  options: SourceLoadOptions,
): { value: SourceConfig; problems: ConfigProblem[] } {
  const files = typeof source === 'string' ? readYamlDir(source) : [source];
  const findKind = options.findKind ?? findSourceKind;
  const kinds = new Map<string, SourceKind>();
  const value: SourceConfig = { sources: [], kindOf: (id) => kinds.get(id) };
  const problems: ConfigProblem[] = [];
  const owners = files.filter((f) => {
    const v = f.value;
    return v !== null && typeof v === 'object' && sourcesKey in (v as object);
  });
  for (const extra of owners.slice(1)) {
    problems.push({
      file: extra.name,
      line: extra.lineOf([sourcesKey]),
      key: sourcesKey,
      message: `already set in ${owners[0].name}; a top-level key lives in one file`,
    });
  }
  const file = owners[0];
  if (!file) return { value, problems };
  const checks = new SectionChecks(file);
  const list = checks.list((file.value as Record<string, unknown>)[sourcesKey], [sourcesKey]);
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const path: KeyPath = [sourcesKey, i];
    const s = readSource(checks, raw, path, options, findKind);
    if (!s) return;
    if (seen.has(s.settings.id)) {
      checks.report([...path, 'id'], `source ${s.settings.id} is listed twice`);
      return;
    }
    seen.add(s.settings.id);
    value.sources.push(s.settings);
    kinds.set(s.settings.id, s.kind);
  });
  problems.push(...checks.problems);
  return { value, problems };
}

function readSource(
  checks: SectionChecks,
  raw: unknown,
  path: KeyPath,
  opts: SourceLoadOptions,
  findKind: (kind: string) => SourceKind | undefined,
): { settings: SourceSettings; kind: SourceKind } | undefined {
  const m = checks.mapping(raw, path, sourceKeys);
  if (!m) return undefined;
  const before = checks.problems.length;
  const id = checks.text(m.id, [...path, 'id'], true);
  if (id !== undefined && (!/^[a-z0-9][a-z0-9-]*$/.test(id) || isConfigSource(id))) {
    checks.report(
      [...path, 'id'],
      'must be lower-case letters, digits and dashes, and not yaml or demo (those are config sources)',
    );
  }
  const kindName = checks.text(m.kind, [...path, 'kind'], true);
  const kind = kindName === undefined ? undefined : findKind(kindName);
  if (kindName !== undefined && !kind) {
    checks.report([...path, 'kind'], `is not a known kind of scheduling source: ${kindName}`);
  }
  const enabled = checks.flag(m.enabled, [...path, 'enabled'], true);
  const everyMinutes = checks.whole(m.everyMinutes, [...path, 'everyMinutes'], 1, 24 * 60, 15);
  const window = readWindow(checks, m.window, [...path, 'window']);
  const staleAfterMinutes = checks.whole(
    m.staleAfterMinutes,
    [...path, 'staleAfterMinutes'],
    1,
    7 * 24 * 60,
    Math.max(60, 4 * everyMinutes),
  );
  if (staleAfterMinutes <= everyMinutes) {
    checks.report([...path, 'staleAfterMinutes'], `must be longer than everyMinutes (${everyMinutes})`);
  }
  const massDeleteShare = readShare(checks, m.massDeleteShare, [...path, 'massDeleteShare']);
  const people = readPeople(checks, m.people, [...path, 'people'], opts.idKinds);
  const assignments = readAssignments(checks, m.assignments, [...path, 'assignments'], opts.assignments);
  const notifyAffected = checks.flag(m.notifyAffected, [...path, 'notifyAffected'], false);
  const unmappedDigestMinutes = checks.whole(
    m.unmappedDigestMinutes,
    [...path, 'unmappedDigestMinutes'],
    5,
    7 * 24 * 60,
    1440,
  );
  let options: unknown;
  if (kind) {
    const rawOptions = m.options ?? {};
    if (rawOptions === null || typeof rawOptions !== 'object' || Array.isArray(rawOptions)) {
      checks.report([...path, 'options'], 'must be a mapping of keys');
    } else {
      const substituted = substituteEnv(rawOptions as Record<string, unknown>, opts.env, (key, message) =>
        checks.report([...path, 'options', ...key.split('.')], message),
      );
      options = kind.readOptions(substituted, (key, message) =>
        checks.report([...path, 'options', ...key.split('.')], message),
      );
      if (options === undefined && checks.problems.length === before) {
        checks.report([...path, 'options'], `are not valid for ${kind.kind}`);
      }
    }
  }
  if (checks.problems.length > before || id === undefined || !kind || kindName === undefined)
    return undefined;
  return {
    kind,
    settings: {
      id,
      kind: kindName,
      enabled,
      everyMinutes,
      daysBack: window.daysBack,
      daysForward: window.daysForward,
      staleAfterMinutes,
      massDeleteShare,
      people,
      assignments,
      notifyAffected,
      unmappedDigestMinutes,
      options,
    },
  };
}

function readWindow(
  checks: SectionChecks,
  raw: unknown,
  path: KeyPath,
): { daysBack: number; daysForward: number } {
  if (raw === undefined || raw === null) return { daysBack: 0, daysForward: 2 };
  const m = checks.mapping(raw, path, ['daysBack', 'daysForward']);
  if (!m) return { daysBack: 0, daysForward: 2 };
  return {
    daysBack: checks.whole(m.daysBack, [...path, 'daysBack'], 0, 90, 0),
    daysForward: checks.whole(m.daysForward, [...path, 'daysForward'], 1, 400, 2),
  };
}

function readShare(checks: SectionChecks, raw: unknown, path: KeyPath): number {
  if (raw === undefined || raw === null) return 0.3;
  if (typeof raw !== 'number' || !(raw > 0) || raw > 1) {
    checks.report(path, 'must be a share above 0 and at most 1 (0.3 holds a sync that removes over 30 %)');
    return 0.3;
  }
  return raw;
}

function readPeople(
  checks: SectionChecks,
  raw: unknown,
  path: KeyPath,
  idKinds: readonly string[],
): PeopleMatch[] {
  const list = checks.list(raw, path);
  if (list.length === 0)
    checks.report(path, 'needs at least one { field, match }: how a source staff row finds a person');
  const out: PeopleMatch[] = [];
  list.forEach((item, i) => {
    const m = checks.mapping(item, [...path, i], ['field', 'match']);
    if (!m) return;
    const field = checks.text(m.field, [...path, i, 'field'], true);
    const match = checks.text(m.match, [...path, i, 'match'], true);
    if (match !== undefined && !idKinds.includes(match)) {
      checks.report([...path, i, 'match'], `must be one of ${idKinds.join(', ')}`);
      return;
    }
    if (field !== undefined && match !== undefined) out.push({ field, match });
  });
  return out;
}

function readAssignments(
  checks: SectionChecks,
  raw: unknown,
  path: KeyPath,
  known: ReadonlySet<string>,
): AssignmentMatch[] {
  const list = checks.list(raw, path);
  if (list.length === 0)
    checks.report(path, 'needs at least one { task, assignment }: which source task is which assignment');
  const out: AssignmentMatch[] = [];
  list.forEach((item, i) => {
    const at = [...path, i];
    const m = checks.mapping(item, at, ['task', 'assignment', 'callOrder']);
    if (!m) return;
    const task = checks.mapping(m.task, [...at, 'task'], Object.keys((m.task as object | null) ?? {}));
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(task ?? {})) {
      const text = typeof v === 'number' ? String(v) : checks.text(v, [...at, 'task', k], true);
      if (text !== undefined) fields[k] = text;
    }
    if (task && Object.keys(fields).length === 0)
      checks.report([...at, 'task'], 'needs at least one field: value');
    const assignment = checks.text(m.assignment, [...at, 'assignment'], true);
    if (assignment !== undefined && !known.has(assignment)) {
      checks.report([...at, 'assignment'], `no assignment ${assignment} in the schedules`);
      return;
    }
    const callOrder = checks.whole(m.callOrder, [...at, 'callOrder'], 1, 20, 1);
    if (assignment !== undefined && Object.keys(fields).length > 0)
      out.push({ task: fields, assignment, callOrder });
  });
  return out;
}

const envRef = /\$\{([A-Z0-9_]+)\}/g;

/** A copy of `options` with `${NAME}` replaced from the environment; a missing variable is reported. */
export function substituteEnv(
  options: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  report: (key: string, message: string) => void,
  prefix = '',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    const key = prefix + k;
    if (typeof v === 'string') {
      out[k] = v.replace(envRef, (_m, name: string) => {
        const value = env[name];
        if (value === undefined) {
          report(key, `needs the environment variable ${name}, which is not set`);
          return '';
        }
        return value;
      });
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = substituteEnv(v as Record<string, unknown>, env, report, `${key}.`);
    } else out[k] = v;
  }
  return out;
}
