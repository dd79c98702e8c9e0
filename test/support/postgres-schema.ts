import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test database (CI's PostgreSQL); SWITCHBOARD_TEST_DATABASE_URL points elsewhere. */
export const testDatabaseUrl =
  process.env.SWITCHBOARD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Set by an int suite (`useTestPostgres()`) to run the behaviour harness on PostgreSQL: every test
 * Switchboard then opens its store in a schema of its own.
 */
export function testStoreIsPostgres(): boolean {
  return process.env.SWITCHBOARD_TEST_STORE === 'postgres';
}

/** Makes every Switchboard the harness starts in this test file use PostgreSQL. */
export function useTestPostgres(): void {
  process.env.SWITCHBOARD_TEST_STORE = 'postgres';
}

/** A fresh schema `sb_<random>` in the test database. */
export async function createTestSchema(): Promise<string> {
  const schema = `sb_${randomBytes(6).toString('hex')}`;
  await runAdmin(`CREATE SCHEMA ${schema}`);
  return schema;
}

export async function dropTestSchema(schema: string): Promise<void> {
  await runAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}

/** The variables that point a Switchboard at `schema` of the test database. */
export function postgresStoreEnv(schema: string): NodeJS.ProcessEnv {
  return {
    SWITCHBOARD_STORE_DRIVER: 'postgres',
    SWITCHBOARD_STORE_URL: testDatabaseUrl,
    SWITCHBOARD_STORE_SCHEMA: schema,
  };
}

async function runAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs one statement in `schema` of the test database on a connection of its own; resolves with the rows. */
export function sqlInSchema(schema: string) {
  return async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: testDatabaseUrl, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  };
}
