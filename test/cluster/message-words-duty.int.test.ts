/**
 * The `message-words` duty on PostgreSQL: a message an instance of the previous version stores during a
 * rolling upgrade has no search words (it writes none, migration 022); the running instance on the duty
 * writes them, and the console's word search then finds the message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../support/duties.ts';
import { writeTestConfig } from '../support/harness.ts';
import {
  createTestSchema,
  dropTestSchema,
  sqlInSchema,
  testDatabaseUrl,
} from '../support/postgres-schema.ts';
import { killLeftoverSwitchboardChildren, startSwitchboardChild } from '../support/switchboard-child.ts';

const schema = await createTestSchema();
const dirs: string[] = [];
afterAll(async () => {
  killLeftoverSwitchboardChildren();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await dropTestSchema(schema);
});

const sql = sqlInSchema(schema);

describe('message words across a rolling upgrade on PostgreSQL', () => {
  it('the instance on the duty writes the words of a message the previous version stored', async () => {
    const store = `store:\n  driver: postgres\n  url: ${testDatabaseUrl}\n  schema: ${schema}\n`;
    const configDir = writeTestConfig({}, store);
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-words-duty-'));
    dirs.push(configDir, dataDir);
    const { http } = await startSwitchboardChild(configDir, dataDir);
    const health = (await (await fetch(`http://127.0.0.1:${http}/api/health`)).json()) as {
      leases: { held: string[] };
    };
    expect(health.leases.held).toContain('message-words');

    // As the previous version stores it: no words, and no say about them (words_due keeps its default).
    const raw = Buffer.from(
      'MSH|^~\\&|CHEMLAB|RGH|SB|RGH|20261122120000||ORU^R01|OLD9|P|2.5\rOBX|1|NM|K^Potassium||2.7\r',
    );
    const [{ id }] = await sql<{ id: string }>(
      `INSERT INTO messages (listener, peer, sending_application, sending_facility, receiving_application,
         receiving_facility, message_type, trigger_event, control_id, received_at, status, updated_at, size, raw)
       VALUES ('mllp', 'peer', 'CHEMLAB', 'RGH', 'SB', 'RGH', 'ORU', 'R01', 'OLD9', 1, 'routed', 1, $1, $2)
       RETURNING id`,
      [raw.length, raw],
    );
    await until(
      'its words',
      async () => (await sql('SELECT 1 FROM message_words WHERE message_id = $1', [id])).length > 0,
      30_000,
    );
    const [row] = await sql<{ words_due: boolean; found: boolean }>(
      `SELECT words_due, EXISTS (SELECT 1 FROM message_words
         WHERE message_id = $1 AND words @@ phraseto_tsquery('simple', 'potassium 2.7')) AS found
       FROM messages WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ words_due: false, found: true });
  });
});
