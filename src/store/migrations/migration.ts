/**
 * A schema migration step. Each has its SQL per dialect; an adapter applies the steps it has not applied
 * yet, in version order, each in its own transaction, and records them in `schema_migrations`.
 * Never edit a released step: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}
