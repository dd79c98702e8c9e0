/**
 * Routing rules and escalation policies: the YAML that interface analysts edit in `config/rules/`,
 * loaded, checked (every problem with file, line and key), watched, and evaluated per message.
 * See docs/rules.md for the file format. Recipient specs are data; the routing core resolves them.
 */

export { DEFAULT_WAIT_AFTER_LAST_STEP_MINUTES } from './escalation-policies.ts';
export {
  DEFAULT_TIMEZONE,
  loadRules,
  type RulesLoadOptions,
  type RulesSource,
  readRulesFolder,
} from './load.ts';
export { DEFAULT_DEDUP_WINDOW_MINUTES } from './parse-rule.ts';
export { describeRecipient, type RecipientCheck } from './recipients.ts';
export type { Explanation, RuleSetParts } from './rule-set.ts';
export { RuleSet } from './rule-set.ts';
export {
  type BatchSettings,
  type EscalationPolicy,
  type EscalationStep,
  type EscalationTarget,
  type EvaluationInput,
  LISTENERS,
  type ListenerName,
  PRIORITIES,
  type Priority,
  type RecipientSpec,
  type RoutableMessage,
  type Rule,
  type RuleMatch,
  type RuleTrace,
  type SourceLocation,
} from './types.ts';
export { type ReloadResult, RulesWatcher, type RulesWatcherOptions } from './watcher.ts';
