/**
 * A WHERE clause built from optional filters, written with `?` like the SQLite adapter's and numbered
 * `$1, $2, …` for PostgreSQL as they are added.
 */
export class Conditions {
  readonly args: unknown[] = [];
  private readonly parts: string[] = [];

  add(clause: string, ...values: unknown[]): void {
    let i = 0;
    this.parts.push(clause.replace(/\?/g, () => this.placeholder(values[i++])));
  }

  /** A placeholder for one more argument (for LIMIT, OFFSET and the like after the filters). */
  placeholder(value: unknown): string {
    this.args.push(value);
    return `$${this.args.length}`;
  }

  /** Placeholders for values that follow the filters, e.g. LIMIT and OFFSET. */
  next(...values: unknown[]): string[] {
    return values.map((v) => this.placeholder(v));
  }

  where(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}
