import { RULE_EDITS_PER_READ, type RuleEditRow, ruleEditColumns, toRuleEdit } from '../rows/rule-edits.ts';
import type { RuleEdit, RuleEditStore } from '../rule-edit-port.ts';
import { inTransaction, type PgPool } from './database.ts';

/**
 * Console rule saves in PostgreSQL (rule-edit-port.ts), read by every instance after the last revision
 * it has seen. A revision comes from a sequence when the row is inserted, and a save that took a lower
 * one could commit after a higher one was read, to be passed over for good: saves take a table lock
 * that only other saves wait for (reads do not), so they commit in the order of their revisions. They
 * are an analyst's clicks, never many at once.
 */
export class PostgresRuleEdits implements RuleEditStore {
  constructor(private readonly pool: PgPool) {}

  record(edit: Omit<RuleEdit, 'revision'>): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      await client.query('LOCK TABLE rule_edits IN SHARE ROW EXCLUSIVE MODE');
      const { rows } = await client.query<{ revision: string | number }>(
        `INSERT INTO rule_edits (name, base_version, text, saved_by, saved_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING revision`,
        [edit.name, edit.baseVersion, edit.text, edit.savedBy, edit.savedAt.getTime()],
      );
      return Number(rows[0].revision);
    });
  }

  async since(revision: number, limit = RULE_EDITS_PER_READ): Promise<RuleEdit[]> {
    const { rows } = await this.pool.query<RuleEditRow>(
      `SELECT ${ruleEditColumns} FROM rule_edits WHERE revision > $1 ORDER BY revision LIMIT $2`,
      [revision, limit],
    );
    return rows.map(toRuleEdit);
  }
}
