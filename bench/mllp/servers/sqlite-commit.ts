/**
 * Baseline B: receive, commit the raw message to SQLite, then acknowledge. better-sqlite3 in WAL mode
 * with synchronous=FULL (the same durability Switchboard promises: a commit that returned is on the disk),
 * one INSERT per transaction and no group commit, so every message costs one fsync. Its figures are what
 * "store before ACK" costs when done the simplest way.
 *
 * Forked by bench/mllp.ts through launchServer; argument: --data-dir <folder> (the database goes there).
 */
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { frameMllp, MllpDecoder } from '../../../src/protocols/hl7/mllp.ts';
import { serveInChild } from '../../lib/child-server.ts';
import { controlIdOf, minimalAckSource, unreadableAck } from './minimal-ack.ts';

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

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    const decoder = new MllpDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.kind !== 'frame') {
          socket.destroy();
          return;
        }
        const id = controlIdOf(event.body);
        if (id === undefined) {
          socket.write(frameMllp(unreadableAck));
          continue;
        }
        insert.run(id, Date.now(), event.body);
        socket.write(frameMllp(ack(id)));
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    info: { database: file, table: 'messages' },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      db.close();
      return {};
    },
  };
});
