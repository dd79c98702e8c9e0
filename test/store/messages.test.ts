import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it as plainIt } from 'vitest';
import type { InboundMessage } from '../../src/store/port.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { auditContract, inbound, messagesContract } from './contract/messages.ts';
import { storePerTest } from './contract/store-per-test.ts';
import { sqliteStores } from './factories.ts';

messagesContract(sqliteStores);
auditContract(sqliteStores);

describe('SQLite journaled messages saved in one go (one savepoint for the lot)', () => {
  const it = storePerTest(sqliteStores);

  it('stores each once, in order, and a message that cannot be stored fails alone', async ({ store }) => {
    const broken = { ...inbound('J-BROKEN'), raw: undefined } as unknown as InboundMessage;
    const saves = [
      store.messages.saveJournaled(inbound('J1')),
      store.messages.saveJournaled(inbound('J2')),
      store.messages.saveJournaled(broken),
      store.messages.saveJournaled(inbound('J1')),
      store.messages.saveJournaled(inbound('J3')),
    ];
    const outcomes = await Promise.allSettled(saves);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const [j1, j2, , again, j3] = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : undefined));
    expect(again).toEqual({ id: j1?.id, duplicate: true });
    expect([j1?.duplicate, j2?.duplicate, j3?.duplicate]).toEqual([false, false, false]);
    expect((j1?.id ?? 0) < (j2?.id ?? 0) && (j2?.id ?? 0) < (j3?.id ?? 0)).toBe(true);
    expect((await store.messages.list({})).items.map((m) => m.controlId)).toEqual(['J3', 'J2', 'J1']);
  });

  plainIt('settled() waits for a commit that holds what was saved before it in the same turn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-journaled-'));
    const store = openSqliteStore(dir);
    const reader = new Database(join(dir, 'switchboard.db'), { readonly: true });
    try {
      const saves = [
        store.messages.saveJournaled(inbound('K1')),
        store.messages.saveJournaled(inbound('K2')),
      ];
      await store.messages.settled();
      // Another connection sees only what is committed.
      expect(reader.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 2 });
      await Promise.all(saves);
    } finally {
      reader.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
