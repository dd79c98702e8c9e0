/**
 * Reads one rule from YAML into a CompiledRule, reporting every problem with its file, line and key.
 * Cross-file checks (duplicate ids, escalation policy ids) are the loader's.
 */
import type { FileChecker, KeyPath } from './checks.ts';
import { CompiledRule, type HeaderMatchers, type RuleTemplates } from './compiled-rule.ts';
import { DuringWindows } from './during.ts';
import { FieldCondition, FieldConditions } from './field-conditions.ts';
import { parseRecipients, type RecipientCheck } from './recipients.ts';
import { Template } from './template.ts';
import { LISTENERS, PRIORITIES, type RecipientSpec, type Rule } from './types.ts';
import { WhenExpression } from './when-expression.ts';

const RULE_KEYS = [
  'id',
  'description',
  'match',
  'filter',
  'recipients',
  'priority',
  'escalation',
  'dedupKey',
  'dedupWindowMinutes',
  'batch',
  'title',
  'body',
  'stop',
];
const MATCH_KEYS = [
  'listener',
  'sendingFacility',
  'sendingApplication',
  'type',
  'trigger',
  'fields',
  'during',
  'when',
];
/** What a filter rule may not have: it sends nothing, and it always ends evaluation. */
const NOT_FOR_FILTERS = [
  'recipients',
  'priority',
  'escalation',
  'dedupKey',
  'dedupWindowMinutes',
  'batch',
  'title',
  'body',
  'stop',
];
export const DEFAULT_DEDUP_WINDOW_MINUTES = 30;

export interface ParsedRule {
  compiled: CompiledRule;
}

export interface RuleParseOptions {
  timezone: string;
  checkRecipient?: RecipientCheck;
}

export function parseRule(
  value: unknown,
  at: KeyPath,
  check: FileChecker,
  options: RuleParseOptions,
): ParsedRule | undefined {
  const record = check.mapping(value, at, RULE_KEYS);
  if (!record) return undefined;
  const before = check.problems.length;
  const key = (k: string): KeyPath => [...at, k];

  const id =
    record.id === undefined ? check.report(key('id'), 'is required') : check.id(record.id, key('id'));
  const description =
    record.description === undefined ? undefined : check.text(record.description, key('description'));
  const filter = record.filter === undefined ? false : check.bool(record.filter, key('filter'));

  const matchValue = record.match;
  const header: HeaderMatchers = {};
  let fields = new FieldConditions([]);
  let during: DuringWindows | undefined;
  let when: WhenExpression | undefined;
  if (matchValue === undefined) {
    check.report(key('match'), 'is required (write `match: {}` to match every message)');
  } else {
    const m = check.mapping(matchValue ?? {}, key('match'), MATCH_KEYS);
    if (m) {
      const mk = (k: string): KeyPath => [...at, 'match', k];
      if (m.listener !== undefined) {
        const names = check.textOrList(m.listener, mk('listener'));
        names?.forEach((n, i) => {
          if (!(LISTENERS as readonly string[]).includes(n)) {
            check.report(
              Array.isArray(m.listener) ? [...mk('listener'), i] : mk('listener'),
              `must be one of ${LISTENERS.join(', ')}`,
            );
          }
        });
        if (names) header.listener = new Set(names);
      }
      for (const k of ['type', 'trigger'] as const) {
        if (m[k] === undefined) continue;
        const codes = check.textOrList(m[k], mk(k));
        codes?.forEach((c, i) => {
          if (!/^[A-Z0-9]{3}$/.test(c)) {
            const hint = c.includes('^')
              ? ' (write type and trigger separately: type: ORU, trigger: R01)'
              : '';
            check.report(
              Array.isArray(m[k]) ? [...mk(k), i] : mk(k),
              `"${c}" is not a three-character upper-case HL7 code${hint}`,
            );
          }
        });
        if (codes) header[k] = new Set(codes);
      }
      for (const k of ['sendingFacility', 'sendingApplication'] as const) {
        if (m[k] === undefined) continue;
        const names = check.textOrList(m[k], mk(k));
        if (names) header[k] = new Set(names);
      }
      if (m.fields !== undefined) {
        const list = check.list(m.fields, mk('fields'));
        const conditions = (list ?? []).map((c, i) => FieldCondition.parse(c, [...mk('fields'), i], check));
        fields = new FieldConditions(conditions.filter((c) => c !== undefined));
      }
      if (m.during !== undefined)
        during = DuringWindows.parse(m.during, mk('during'), check, options.timezone);
      if (m.when !== undefined) {
        const source = check.text(m.when, mk('when'));
        if (source !== undefined) {
          const compiled = WhenExpression.compile(source);
          if (Array.isArray(compiled)) {
            for (const p of compiled) check.report(mk('when'), p);
          } else when = compiled;
        }
      }
    }
  }

  if (filter) {
    for (const k of NOT_FOR_FILTERS) {
      if (record[k] !== undefined)
        check.report(key(k), 'does not apply to a filter rule: it drops the message and sends nothing');
    }
  }

  let recipients: RecipientSpec[] = [];
  if (!filter) {
    if (record.recipients === undefined) check.report(key('recipients'), 'is required (who should be told?)');
    else {
      recipients = (parseRecipients(
        record.recipients,
        key('recipients'),
        check,
        false,
        options.checkRecipient,
      ) ?? []) as RecipientSpec[];
    }
  }
  const priority =
    record.priority === undefined ? 'normal' : check.oneOf(record.priority, key('priority'), PRIORITIES);
  const escalation =
    !filter && record.escalation !== undefined ? check.id(record.escalation, key('escalation')) : undefined;
  const stop = filter || (record.stop === undefined ? false : check.bool(record.stop, key('stop')));

  const templates: RuleTemplates = {};
  for (const k of ['title', 'body', 'dedupKey'] as const) {
    if (record[k] === undefined || filter) continue;
    const t = template(record[k], key(k), check);
    if (t) templates[k] = t;
  }
  let dedupWindowMinutes: number | undefined;
  if (record.dedupWindowMinutes !== undefined && !filter) {
    if (record.dedupKey === undefined)
      check.report(key('dedupWindowMinutes'), 'needs a dedupKey to say what counts as the same alert');
    dedupWindowMinutes = check.minutes(record.dedupWindowMinutes, key('dedupWindowMinutes'), 1, 7 * 1440);
  } else if (record.dedupKey !== undefined) dedupWindowMinutes = DEFAULT_DEDUP_WINDOW_MINUTES;

  let batch: Rule['batch'];
  if (record.batch !== undefined && !filter) {
    const b = check.mapping(record.batch, key('batch'), ['minutes', 'key']);
    if (b) {
      const minutes =
        b.minutes === undefined
          ? check.report([...key('batch'), 'minutes'], 'is required')
          : check.minutes(b.minutes, [...key('batch'), 'minutes'], 1, 1440);
      if (b.key !== undefined) {
        const t = template(b.key, [...key('batch'), 'key'], check);
        if (t) templates.batchKey = t;
      }
      if (minutes !== undefined) batch = Object.freeze({ minutes });
    }
  }

  if (
    check.problems.length > before ||
    id === undefined ||
    filter === undefined ||
    priority === undefined ||
    stop === undefined
  ) {
    return undefined;
  }
  const rule: Rule = Object.freeze({
    id,
    ...(description === undefined ? {} : { description }),
    filter,
    recipients: Object.freeze(recipients),
    priority,
    ...(escalation === undefined ? {} : { escalationPolicyId: escalation }),
    ...(dedupWindowMinutes === undefined ? {} : { dedupWindowMinutes }),
    ...(batch === undefined ? {} : { batch }),
    stop,
    conditions: Object.freeze(describeConditions(header, fields, during, when)),
    at: check.at(at),
  });
  return { compiled: new CompiledRule({ rule, header, fields, during, when, templates }) };
}

function describeConditions(
  header: HeaderMatchers,
  fields: FieldConditions,
  during: DuringWindows | undefined,
  when: WhenExpression | undefined,
): string[] {
  const words: string[] = [];
  for (const [key, values] of Object.entries(header) as Array<[string, ReadonlySet<string>]>) {
    words.push(`${key} ${[...values].join(' or ')}`);
  }
  for (const c of fields.all) words.push(c.describe());
  if (during) words.push(during.describe());
  if (when) words.push(`when: ${when.source}`);
  return words;
}

function template(value: unknown, at: KeyPath, check: FileChecker): Template | undefined {
  const source = check.text(value, at);
  if (source === undefined) return undefined;
  const parsed = Template.parse(source);
  if (Array.isArray(parsed)) {
    for (const p of parsed) check.report(at, p);
    return undefined;
  }
  return parsed;
}
