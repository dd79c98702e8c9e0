import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations/index.ts';
import type { Store } from '../../src/store/port.ts';
import { openPostgresStore } from '../../src/store/postgres/index.ts';
import { createTestSchema, dropTestSchema, testDatabaseUrl } from '../support/postgres-schema.ts';

/**
 * The upgrade to words in a table of their own (migration 022) on PostgreSQL, as a rolling upgrade sees it:
 * a database whose messages were stored by the previous version, and an instance of that version still
 * storing messages after the step.
 */
describe('message words on PostgreSQL, across the upgrade', () => {
  let schema: string | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    if (schema) await dropTestSchema(schema);
    store = schema = undefined;
  });

  /** Runs SQL in the test schema, as the previous version would. */
  async function asPreviousVersion(text: string, values: unknown[] = []): Promise<void> {
    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    try {
      await client.query(`SET search_path TO ${schema}`);
      await client.query(text, values);
    } finally {
      await client.end();
    }
  }

  /** What the previous version's ingest writes: no words of its own, no `words_due`. */
  const previousInsert = `INSERT INTO messages (listener, peer, sending_application, sending_facility,
      receiving_application, receiving_facility, message_type, trigger_event, control_id, received_at, status,
      updated_at, size, raw)
    VALUES ('mllp', 'peer', 'CHEMLAB', 'RGH', 'SB', 'RGH', 'ORU', 'R01', $1, $2, 'received', $2, 10, $3)`;
  const raw = (id: string, obx: string) =>
    Buffer.from(`MSH|^~\\&|CHEMLAB|RGH|SB|RGH|20261122120000||ORU^R01|${id}|P|2.5\rOBX|1|NM|${obx}\r`);

  it('finds what the previous version stored, before and after the duty fills its words', async () => {
    schema = await createTestSchema();
    const before = migrations.filter((m) => m.version < 22);
    await asPreviousVersion(
      `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);
       ${before.map((m) => m.postgres).join('\n')}`,
    );
    for (const m of before)
      await asPreviousVersion('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
    await asPreviousVersion(previousInsert, ['OLD1', 1_000, raw('OLD1', 'K^Potassium||2.7')]);

    store = await openPostgresStore(testDatabaseUrl, { schema, maxConnections: 4 });
    // The previous version, still running after the step, stores one more: no words anywhere yet.
    await asPreviousVersion(previousInsert, ['OLD2', 2_000, raw('OLD2', 'NA^Sodium||140')]);
    await store.messages.saveInbound({
      listener: 'mllp',
      peer: 'peer',
      sendingApplication: 'CHEMLAB',
      sendingFacility: 'RGH',
      receivingApplication: 'SB',
      receivingFacility: 'RGH',
      messageType: 'ORU',
      triggerEvent: 'R01',
      controlId: 'NEW1',
      receivedAt: new Date(3_000),
      raw: raw('NEW1', 'K^Potassium||5.9'),
    });
    const found = async (text: string) =>
      (await (store as Store).messages.list({ text })).items.map((m) => m.controlId);

    expect(await found('potassium')).toEqual(['NEW1', 'OLD1']);
    expect(await found('sodium')).toEqual([]);
    expect(await store.messages.fillDueWords?.()).toBe(2);
    expect(await found('sodium')).toEqual(['OLD2']);
    expect(await found('potassium 2.7')).toEqual(['OLD1']);
    expect(await store.messages.fillDueWords?.()).toBe(0);
  });
});
