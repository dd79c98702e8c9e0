/**
 * The WCTP routing tables an interface analyst writes under `wctp:` in the config folder:
 *
 *   recipients: how a recipientID maps to people. `match` is the recipientID, where `*` stands for
 *     anything and `{unit}`, `{room}`, `{bed}`, `{event}` capture a part (letters, digits, `.` and `_`).
 *     An entry either names who (`to:`, the rules' recipient syntax) or says `nurseCall: true`: then the
 *     event (captured, or recognised in the text) and the bed pick the route.
 *   events: nurse-call and telemetry event types, recognised by words in the text or by `{event}`:
 *     id, words, priority, optional `to:` and `escalation:` (a policy of the rules folder). Without `to:`
 *     the priority decides: low and normal go to the tech covering the bed, high and urgent to the nurse
 *     (lower intensity to techs, higher to licensed staff).
 *
 * Compiled once at start with every problem reported at once, with file and line.
 */
import { ConfigError, type ConfigProblem } from '../../../kit/config-errors.ts';
import { YamlFile } from '../../../kit/yaml-files.ts';
import { FileChecker, type KeyPath } from '../../rules/checks.ts';
import { parseRecipients, type RecipientCheck } from '../../rules/recipients.ts';
import { PRIORITIES, type Priority, type RecipientSpec, type SourceLocation } from '../../rules/types.ts';

/** The `wctp.recipients` / `wctp.events` / `wctp.nurseCall` settings as YAML gives them. */
export interface WctpRoutingSettings {
  recipients: ReadonlyArray<Record<string, unknown>>;
  events: ReadonlyArray<Record<string, unknown>>;
  nurseCall: {
    /** Escalation policy (rules folder) for nurse calls whose event names none. */
    escalation?: string;
    /** Coverage role for low and normal intensity calls. @defaultValue 'tech' */
    techRole: string;
    /** Coverage role for high and urgent calls. @defaultValue 'nurse' */
    nurseRole: string;
  };
}

/** The parts of a recipientID a pattern may capture. */
export const CAPTURES = ['unit', 'room', 'bed', 'event'] as const;
export type Capture = (typeof CAPTURES)[number];

export interface AddressEntry {
  match: string;
  regex: RegExp;
  to?: readonly RecipientSpec[];
  nurseCall: boolean;
  /** A unit for every recipientID this entry matches (e.g. one nurse-call system per unit). */
  unit?: string;
  priority?: Priority;
  escalation?: string;
  /** The call-back number, with `{room}`, `{bed}`, `{unit}` filled in from the recipientID. */
  callback?: string;
  at: SourceLocation;
}

export interface NurseCallEvent {
  id: string;
  /** Lower-cased words or phrases that name the event in a message's text. */
  words: readonly string[];
  priority: Priority;
  to?: readonly RecipientSpec[];
  escalation?: string;
  at: SourceLocation;
}

export interface WctpRoutingTable {
  entries: readonly AddressEntry[];
  events: readonly NurseCallEvent[];
  nurseCall: WctpRoutingSettings['nurseCall'];
}

const ENTRY_KEYS = ['match', 'to', 'nurseCall', 'unit', 'priority', 'escalation', 'callback'];
const EVENT_KEYS = ['id', 'words', 'priority', 'to', 'escalation'];

/**
 * Compiles the tables. `file` is the YAML file holding the `wctp:` key (for line numbers); `known`
 * checks that named people, groups and assignments exist. Throws ConfigError listing every problem.
 */
export function compileRoutingTable(
  settings: WctpRoutingSettings,
  file: YamlFile = new YamlFile('switchboard.yaml', ''),
  known?: RecipientCheck,
): WctpRoutingTable {
  const problems: ConfigProblem[] = [];
  const check = new FileChecker(file, problems);
  const entries: AddressEntry[] = [];
  settings.recipients.forEach((raw, i) => {
    const at: KeyPath = ['wctp', 'recipients', i];
    const record = check.mapping(raw, at, ENTRY_KEYS);
    if (!record) return;
    const match = check.text(record.match, [...at, 'match']);
    const regex = match === undefined ? undefined : patternRegex(match, [...at, 'match'], check);
    const nurseCall =
      record.nurseCall === undefined ? false : check.bool(record.nurseCall, [...at, 'nurseCall']);
    const to =
      record.to === undefined
        ? undefined
        : (parseRecipients(record.to, [...at, 'to'], check, false, known) as RecipientSpec[] | undefined);
    if (record.to === undefined && !nurseCall) check.report(at, 'needs `to:` (who) or `nurseCall: true`');
    if (record.to !== undefined && nurseCall)
      check.report(at, 'give either `to:` or `nurseCall: true`, not both');
    const priority =
      record.priority === undefined
        ? undefined
        : check.oneOf(record.priority, [...at, 'priority'], PRIORITIES);
    const unit = record.unit === undefined ? undefined : check.text(record.unit, [...at, 'unit']);
    const escalation =
      record.escalation === undefined ? undefined : check.id(record.escalation, [...at, 'escalation']);
    const callback =
      record.callback === undefined ? undefined : check.text(record.callback, [...at, 'callback']);
    if (match === undefined || regex === undefined || nurseCall === undefined) return;
    entries.push({ match, regex, to, nurseCall, unit, priority, escalation, callback, at: check.at(at) });
  });

  const events: NurseCallEvent[] = [];
  const seen = new Set<string>();
  settings.events.forEach((raw, i) => {
    const at: KeyPath = ['wctp', 'events', i];
    const record = check.mapping(raw, at, EVENT_KEYS);
    if (!record) return;
    const id = check.id(record.id, [...at, 'id']);
    if (id !== undefined && seen.has(id.toLowerCase()))
      check.report([...at, 'id'], `event ${id} is listed twice`);
    if (id !== undefined) seen.add(id.toLowerCase());
    const words = record.words === undefined ? [] : check.textOrList(record.words, [...at, 'words']);
    const priority = check.oneOf(record.priority, [...at, 'priority'], PRIORITIES);
    const to =
      record.to === undefined
        ? undefined
        : (parseRecipients(record.to, [...at, 'to'], check, false, known) as RecipientSpec[] | undefined);
    const escalation =
      record.escalation === undefined ? undefined : check.id(record.escalation, [...at, 'escalation']);
    if (id === undefined || words === undefined || priority === undefined) return;
    events.push({
      id,
      words: words.map((w) => w.trim().toLowerCase()),
      priority,
      to,
      escalation,
      at: check.at(at),
    });
  });
  if (problems.length) throw new ConfigError(problems);
  return { entries, events, nurseCall: settings.nurseCall };
}

/** `4W-{room}-{bed}-*` → /^4W-(?<room>[\w.]+)-(?<bed>[\w.]+)-.*$/i */
function patternRegex(pattern: string, at: KeyPath, check: FileChecker): RegExp | undefined {
  let source = '';
  const used = new Set<string>();
  for (const part of pattern.split(/(\{[^}]*\}|\*)/)) {
    if (part === '*') source += '.*';
    else if (part.startsWith('{')) {
      const name = part.slice(1, -1);
      if (!(CAPTURES as readonly string[]).includes(name))
        return check.report(
          at,
          `{${name}} is not a part we know (use ${CAPTURES.map((c) => `{${c}}`).join(', ')})`,
        );
      if (used.has(name)) return check.report(at, `{${name}} appears twice`);
      used.add(name);
      // Parts are separated by '-' or spaces in real nurse-call addresses, so a capture stops there.
      source += `(?<${name}>[A-Za-z0-9_.]+)`;
    } else source += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'i');
}
