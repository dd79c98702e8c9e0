/**
 * Loads the rules folder (`config/rules/*.yaml`): each file may hold `rules:` and `escalationPolicies:`.
 * Every problem is reported at once with file, line and key; any problem refuses the whole set, so a
 * half-valid edit never replaces running rules. Files are read in name order, rules in file order.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { IANAZone } from 'luxon';
import type { ConfigProblem } from '../../kit/config-errors.ts';
import { YamlFile } from '../../kit/yaml-files.ts';
import { FileChecker } from './checks.ts';
import { parseEscalationPolicy } from './escalation-policies.ts';
import { type ParsedRule, parseRule } from './parse-rule.ts';
import type { RecipientCheck } from './recipients.ts';
import { RuleSet, type RuleSetParts } from './rule-set.ts';
import type { EscalationPolicy } from './types.ts';

export interface RulesLoadOptions {
  /** The site's IANA time zone (config `site.timezone`), for `during` windows. @defaultValue America/New_York */
  timezone?: string;
  /**
   * Optional check of the ids a recipient names (assignment, group, person) against the directory and
   * schedules: return a complaint to refuse the rules, undefined to accept.
   */
  checkRecipient?: RecipientCheck;
  /** Passed to the RuleSet: told when a rule's `when` fails at run time (see RuleSetParts). */
  onRuleError?: RuleSetParts['onRuleError'];
}

export const DEFAULT_TIMEZONE = 'America/New_York';
const TOP_LEVEL_KEYS = ['rules', 'escalationPolicies'];

export interface RulesSource {
  files: YamlFile[];
  /** Fingerprint of the folder's contents: a reload that reads the same bytes changes nothing. */
  version: string;
  problems: ConfigProblem[];
}

/**
 * Reads every `*.yaml` / `*.yml` file directly in `dir`. Problems name files as `<folder>/<file>`
 * (`rules/lab.yaml`), which is how an analyst finds them under `config/`.
 */
export function readRulesFolder(dir: string): RulesSource {
  const label = basename(dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return {
      files: [],
      version: '',
      problems: [{ file: label, key: '', message: `folder ${dir} does not exist` }],
    };
  }
  const hash = createHash('sha256');
  const files: YamlFile[] = [];
  for (const name of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const text = readFileSync(join(dir, name), 'utf8');
    hash.update(`${name}\0${text}\0`);
    files.push(new YamlFile(`${label}/${name}`, text));
  }
  return { files, version: hash.digest('hex').slice(0, 16), problems: [] };
}

/**
 * Loads rules from a folder, from what readRulesFolder read, or from already-parsed files (tests, or the
 * API checking an edit before it is saved).
 */
export function loadRules(
  source: string | RulesSource | readonly YamlFile[],
  options: RulesLoadOptions = {},
): { value: RuleSet | undefined; problems: ConfigProblem[] } {
  const timezone = options.timezone ?? DEFAULT_TIMEZONE;
  if (!IANAZone.isValidZone(timezone)) throw new RangeError(`time zone "${timezone}" is not an IANA zone`);
  const read: RulesSource =
    typeof source === 'string'
      ? readRulesFolder(source)
      : 'files' in source
        ? source
        : { files: [...source], version: '', problems: [] };
  const problems = [...read.problems];
  const checkers: Array<{ check: FileChecker; top: Record<string, unknown> }> = [];
  for (const file of read.files) {
    const check = new FileChecker(file, problems);
    const syntax = file.syntaxProblems();
    if (syntax.length) {
      problems.push(...syntax);
      continue;
    }
    const value = file.value;
    if (value === null || value === undefined) continue;
    const top = check.mapping(value, [], TOP_LEVEL_KEYS);
    if (top) checkers.push({ check, top });
  }

  // Policies first, so a rule in one file can name a policy in another.
  const policies = new Map<string, EscalationPolicy>();
  const declared = new Map<string, string>();
  for (const { check, top } of checkers) {
    if (top.escalationPolicies === undefined) continue;
    const list = check.list(top.escalationPolicies, ['escalationPolicies']);
    list?.forEach((item, i) => {
      const at = ['escalationPolicies', i];
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string') {
        const first = declared.get(id);
        if (first) check.report([...at, 'id'], `escalation policy "${id}" is already defined at ${first}`);
        else declared.set(id, where(check, [...at, 'id']));
      }
      const policy = parseEscalationPolicy(item, at, check, options.checkRecipient);
      if (policy && !policies.has(policy.id)) policies.set(policy.id, policy);
    });
  }

  const parsed: ParsedRule[] = [];
  const ruleIds = new Map<string, string>();
  for (const { check, top } of checkers) {
    if (top.rules === undefined) continue;
    const list = check.list(top.rules, ['rules']);
    list?.forEach((item, i) => {
      const at = ['rules', i];
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string') {
        const first = ruleIds.get(id);
        if (first) check.report([...at, 'id'], `rule "${id}" is already defined at ${first}`);
        else ruleIds.set(id, where(check, [...at, 'id']));
      }
      const rule = parseRule(item, at, check, { timezone, checkRecipient: options.checkRecipient });
      if (rule) parsed.push(rule);
      // Only an id that no policy declares is unknown; a declared policy with its own problems is
      // reported there, not again at every rule that uses it. Checked even when the rule has other
      // problems, so that one pass reports them all.
      const policyId = (item as { escalation?: unknown } | null)?.escalation;
      if (typeof policyId === 'string' && !declared.has(policyId)) {
        const known = [...declared.keys()].join(', ') || 'none defined';
        check.report(
          [...at, 'escalation'],
          `names escalation policy "${policyId}", which does not exist (known: ${known})`,
        );
      }
    });
  }

  if (problems.length) return { value: undefined, problems };
  const value = new RuleSet({
    rules: parsed.map((p) => p.compiled),
    policies,
    version: read.version || fingerprint(read.files),
    timezone,
    onRuleError: options.onRuleError,
  });
  return { value, problems };
}

function where(check: FileChecker, path: Array<string | number>): string {
  const at = check.at(path);
  return at.line ? `${at.file}:${at.line}` : at.file;
}

function fingerprint(files: readonly YamlFile[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.name}\0${String(f.doc)}\0`);
  return hash.digest('hex').slice(0, 16);
}
