import type { RuleEdit } from '../rule-edit-port.ts';

/** A rule_edits row as both stores read it. */
export interface RuleEditRow {
  revision: number | string;
  name: string;
  base_version: string;
  text: string;
  saved_by: string;
  saved_at: number | string;
}

export const ruleEditColumns = 'revision, name, base_version, text, saved_by, saved_at';

export const toRuleEdit = (r: RuleEditRow): RuleEdit => ({
  revision: Number(r.revision),
  name: r.name,
  baseVersion: r.base_version,
  text: r.text,
  savedBy: r.saved_by,
  savedAt: new Date(Number(r.saved_at)),
});

/** Saves read at once when no limit is given: far more than a cluster's console saves in a while. */
export const RULE_EDITS_PER_READ = 1000;
