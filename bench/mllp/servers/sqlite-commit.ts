/**
 * Baseline B: receive, commit the raw message to SQLite, then acknowledge. better-sqlite3 in WAL mode
 * with synchronous=FULL (the same durability Switchboard promises: a commit that returned is on the disk),
 * one INSERT per transaction and no group commit, so every message costs one fsync. Its figures are what
 * "store before ACK" costs when done the simplest way.
 *
 * Forked by bench/mllp.ts through launchServer; argument: --data-dir <folder> (the database goes there).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { serveInChild } from '../../lib/child-server.ts';
import { listenBaseline } from './baseline-listener.ts';
import { minimalAckSource, unreadableAck } from './minimal-ack.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });

serveInChild(async () => {
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required');
  const file = join(dataDir, 'baseline.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, control_id TEXT NOT NULL, received_at INTEGER NOT NULL, raw BLOB NOT NULL)',
  );
  // Outside an explicit transaction every statement is its own transaction: one commit, one fsync.
  const insert = db.prepare('INSERT INTO messages (control_id, received_at, raw) VALUES (?, ?, ?)');
  const ack = minimalAckSource();

  const listener = await listenBaseline((body, id, reply) => {
    if (id === undefined) {
      reply(unreadableAck);
      return;
    }
    insert.run(id, Date.now(), body);
    reply(ack(id));
  });
  return {
    port: listener.port,
    info: { database: file, table: 'messages' },
    async stop() {
      await listener.close();
      db.close();
      return {};
    },
  };
});
