import { RULE_EDITS_PER_READ, type RuleEditRow, ruleEditColumns, toRuleEdit } from '../rows/rule-edits.ts';
import type { RuleEdit, RuleEditStore } from '../rule-edit-port.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

/** Console rule saves in the embedded database (rule-edit-port.ts): one process, so a record of saves. */
export class SqliteRuleEdits implements RuleEditStore {
  private readonly insert;
  private readonly after;

  constructor(
    db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.insert = db.prepare(
      'INSERT INTO rule_edits (name, base_version, text, saved_by, saved_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.after = db.prepare(
      `SELECT ${ruleEditColumns} FROM rule_edits WHERE revision > ? ORDER BY revision LIMIT ?`,
    );
  }

  async record(edit: Omit<RuleEdit, 'revision'>): Promise<number> {
    const info = await this.commit.writeDurable(() =>
      this.insert.run(edit.name, edit.baseVersion, edit.text, edit.savedBy, edit.savedAt.getTime()),
    );
    return Number(info.lastInsertRowid);
  }

  async since(revision: number, limit = RULE_EDITS_PER_READ): Promise<RuleEdit[]> {
    return (this.after.all(revision, limit) as RuleEditRow[]).map(toRuleEdit);
  }
}
