/**
 * Reads `connectors:` (config/connectors.yaml): the common settings of every connector here, each kind's
 * `options` by the kind itself. Every problem is reported at once with file, line and key.
 */
import { type ExternalIdKind, externalIdKinds } from '../directory/types.ts';
import type { ConfigProblem } from '../kit/config-errors.ts';
import { type KeyPath, SectionChecks } from '../kit/section-checks.ts';
import { readYamlDir, type YamlFile } from '../kit/yaml-files.ts';
import type { Cadence, ConnectorKind, ConnectorSettings, RetrySettings } from './connector.ts';

export const connectorsKey = 'connectors';

const entryKeys = [
  'id',
  'kind',
  'enabled',
  'target',
  'credentials',
  'assignments',
  'personId',
  'window',
  'cadence',
  'include',
  'retry',
  'digestMinutes',
  'options',
];

export const DEFAULT_CONNECTOR_RETRY: RetrySettings = Object.freeze({
  firstDelayMs: 5000,
  factor: 3,
  maxDelayMs: 600_000,
  maxAttempts: 12,
});

const secretRef = /^\$\{([A-Z0-9_]+)\}$/;
const idPattern = /^[a-z0-9][a-z0-9-]*$/;
const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;

export interface ConnectorLoadOptions {
  kinds: ReadonlyMap<string, ConnectorKind<never>>;
  env: NodeJS.ProcessEnv;
  /** Assignment ids the schedules know. */
  knownAssignment: (id: string) => boolean;
}

/** Loads `connectors:` from whichever file in the folder holds it (none: no connectors). */
export function loadConnectors(
  source: string | YamlFile,
  options: ConnectorLoadOptions,
): { value: ConnectorSettings[]; problems: ConfigProblem[] } {
  const files = typeof source === 'string' ? readYamlDir(source) : [source];
  const owners = files.filter((f) => {
    const v = f.value;
    return v !== null && typeof v === 'object' && !Array.isArray(v) && connectorsKey in v;
  });
  const problems: ConfigProblem[] = owners.slice(1).map((extra) => ({
    file: extra.name,
    line: extra.lineOf([connectorsKey]),
    key: connectorsKey,
    message: `already set in ${owners[0].name}; a top-level key lives in one file`,
  }));
  const file = owners[0];
  if (!file) return { value: [], problems };
  const syntax = file.syntaxProblems();
  if (syntax.length) return { value: [], problems: [...problems, ...syntax] };
  const checks = new SectionChecks(file);
  const value: ConnectorSettings[] = [];
  const ids = new Set<string>();
  checks.list((file.value as Record<string, unknown>)[connectorsKey], [connectorsKey]).forEach((item, i) => {
    const raw = (item as { id?: unknown } | null)?.id;
    if (typeof raw === 'string' && ids.has(raw))
      checks.report([connectorsKey, i, 'id'], `connector ${raw} is listed twice`);
    if (typeof raw === 'string') ids.add(raw);
    const c = readEntry(checks, item, [connectorsKey, i], options);
    if (c) value.push(c);
  });
  return { value, problems: [...problems, ...checks.problems] };
}

function readEntry(
  checks: SectionChecks,
  raw: unknown,
  path: KeyPath,
  o: ConnectorLoadOptions,
): ConnectorSettings | undefined {
  const e = checks.mapping(raw, path, entryKeys);
  if (!e) return undefined;
  const id = checks.text(e.id, [...path, 'id'], true);
  if (id !== undefined && !idPattern.test(id))
    checks.report(
      [...path, 'id'],
      'must be lower-case letters, digits and dashes (it names the feed cursor)',
    );
  const kindName = checks.text(e.kind, [...path, 'kind'], true);
  const kind = kindName === undefined ? undefined : o.kinds.get(kindName);
  if (kindName !== undefined && !kind)
    checks.report([...path, 'kind'], `is not a known kind (known: ${[...o.kinds.keys()].join(', ')})`);
  const enabled = checks.flag(e.enabled, [...path, 'enabled'], true);
  const target = checks.text(e.target, [...path, 'target'], false) ?? '';
  const credentials = readCredentials(checks, e.credentials, [...path, 'credentials'], o.env, enabled);
  for (const name of kind?.requiredCredentials ?? [])
    if (!(name in credentials) && !(name in ((e.credentials as object | null) ?? {})))
      checks.report([...path, 'credentials', name], `is required by kind ${kindName}`);
  const personId = checks.text(e.personId, [...path, 'personId'], false) ?? 'id';
  if (personId !== 'id' && !externalIdKinds.includes(personId as ExternalIdKind))
    checks.report([...path, 'personId'], `must be id or a crosswalk id (${externalIdKinds.join(', ')})`);
  const cadence = readCadence(checks, e.cadence, [...path, 'cadence']);
  if (kind && cadence && !kind.cadences.includes(cadence.kind))
    checks.report([...path, 'cadence'], `kind ${kindName} runs ${kind.cadences.join(' or ')}`);
  const window = checks.mapping(e.window ?? {}, [...path, 'window'], ['daysBack', 'daysForward']);
  const include = checks.mapping(
    e.include ?? {},
    [...path, 'include'],
    ['notes', 'assignmentInfo', 'placeholders'],
  );
  const retry = checks.mapping(e.retry ?? {}, [...path, 'retry'], Object.keys(DEFAULT_CONNECTOR_RETRY));
  const d = DEFAULT_CONNECTOR_RETRY;
  const options = kind?.readOptions(
    e.options === undefined ? undefined : checks.mapping(e.options, [...path, 'options'], kind.optionKeys),
    checks,
    [...path, 'options'],
  );
  const settings = {
    id: id ?? '',
    kind: kind?.kind ?? '',
    enabled,
    target,
    credentials,
    assignments: readAssignments(checks, e.assignments, [...path, 'assignments'], o.knownAssignment),
    personId: personId as ExternalIdKind | 'id',
    window: {
      daysBack: checks.whole(window?.daysBack, [...path, 'window', 'daysBack'], 0, 366, 1),
      daysForward: checks.whole(window?.daysForward, [...path, 'window', 'daysForward'], 0, 732, 30),
    },
    cadence: cadence ?? { kind: 'onChange' },
    include: {
      notes: checks.flag(include?.notes, [...path, 'include', 'notes'], false),
      assignmentInfo: checks.flag(include?.assignmentInfo, [...path, 'include', 'assignmentInfo'], true),
      placeholders: checks.flag(include?.placeholders, [...path, 'include', 'placeholders'], false),
    },
    retry: {
      firstDelayMs: checks.whole(
        retry?.firstDelayMs,
        [...path, 'retry', 'firstDelayMs'],
        1,
        3_600_000,
        d.firstDelayMs,
      ),
      factor: checks.whole(retry?.factor, [...path, 'retry', 'factor'], 1, 10, d.factor),
      maxDelayMs: checks.whole(
        retry?.maxDelayMs,
        [...path, 'retry', 'maxDelayMs'],
        1,
        86_400_000,
        d.maxDelayMs,
      ),
      maxAttempts: checks.whole(
        retry?.maxAttempts,
        [...path, 'retry', 'maxAttempts'],
        1,
        1000,
        d.maxAttempts,
      ),
    },
    digestMinutes: checks.whole(e.digestMinutes, [...path, 'digestMinutes'], 1, 10_080, 60),
    options,
  } satisfies ConnectorSettings;
  // Checked to the end so every problem is reported; kept only when it can run.
  return id === undefined || !kind || !cadence ? undefined : settings;
}

/** Secrets only as `${NAME}`: a literal password in a file that lives in git is refused. */
function readCredentials(
  checks: SectionChecks,
  raw: unknown,
  path: KeyPath,
  env: NodeJS.ProcessEnv,
  enabled: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined || raw === null) return out;
  const map = checks.mapping(raw, path, Object.keys(raw as object));
  for (const [name, value] of Object.entries(map ?? {})) {
    const ref = typeof value === 'string' ? secretRef.exec(value.trim()) : null;
    if (!ref) {
      checks.report(
        [...path, name],
        `must be an environment reference such as ${'$'}{WEBHOOK_SECRET}: secrets stay out of git`,
      );
      continue;
    }
    const v = env[ref[1]];
    if (v === undefined) {
      if (enabled)
        checks.report([...path, name], `needs the environment variable ${ref[1]}, which is not set`);
      continue;
    }
    out[name] = v;
  }
  return out;
}

/** `onChange`, `every 10 minutes`, `daily at 02:00`, or `{ payPeriod: 14, anchor: 2026-01-04, at: '02:00' }`. */
function readCadence(checks: SectionChecks, raw: unknown, path: KeyPath): Cadence | undefined {
  if (raw === undefined || raw === null || raw === 'onChange') return { kind: 'onChange' };
  if (typeof raw === 'string') {
    const every = /^every (\d+) minutes?$/.exec(raw.trim());
    if (every && Number(every[1]) >= 1) return { kind: 'every', minutes: Number(every[1]) };
    const daily = /^daily at (\d\d:\d\d)$/.exec(raw.trim());
    if (daily && hhmm.test(daily[1])) return { kind: 'daily', at: daily[1] };
  } else if (typeof raw === 'object' && !Array.isArray(raw)) {
    const p = checks.mapping(raw, path, ['payPeriod', 'anchor', 'at']);
    const days = checks.whole(p?.payPeriod, [...path, 'payPeriod'], 1, 366, 14);
    const anchor = checks.text(p?.anchor, [...path, 'anchor'], true);
    const at = checks.text(p?.at, [...path, 'at'], false) ?? '00:00';
    if (anchor !== undefined && !/^\d{4}-\d\d-\d\d$/.test(anchor))
      checks.report([...path, 'anchor'], 'must be the first day of a pay period, as YYYY-MM-DD');
    if (!hhmm.test(at)) checks.report([...path, 'at'], 'must be a local time HH:mm');
    return anchor === undefined ? undefined : { kind: 'payPeriod', days, anchor, at };
  }
  checks.report(
    path,
    "must be onChange, 'every N minutes', 'daily at HH:mm' or { payPeriod: days, anchor: YYYY-MM-DD, at: HH:mm }",
  );
  return undefined;
}

/** `hospitalist: [role-123]`, `cardiology: team-9` (one or many target names per assignment). */
function readAssignments(
  checks: SectionChecks,
  raw: unknown,
  path: KeyPath,
  known: (id: string) => boolean,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    checks.report(path, 'must map our assignment ids to the target names (a text or a list)');
    return out;
  }
  for (const [assignment, to] of Object.entries(raw)) {
    if (!known(assignment))
      checks.report([...path, assignment], `no assignment ${assignment} in the schedules`);
    const names = Array.isArray(to) ? to : to === null ? [] : [to];
    const texts = names.map((n, i) =>
      checks.text(n, Array.isArray(to) ? [...path, assignment, i] : [...path, assignment], true),
    );
    out.set(
      assignment,
      texts.filter((t): t is string => t !== undefined),
    );
  }
  return out;
}
