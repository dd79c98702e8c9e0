import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDb } from './database.ts';
import { GroupCommit } from './group-commit.ts';
import { WalSync } from './wal-sync.ts';

describe('GroupCommit', () => {
  let dir: string;
  let db: SqliteDb;
  let other: SqliteDb;
  let flushes: Array<() => void>;
  let commit: GroupCommit;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-group-commit-'));
    db = openSqlite(dir);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
    // A second connection sees only what is committed, as another process would.
    other = new Database(join(dir, 'switchboard.db'), { readonly: true });
    flushes = [];
    const wal = new WalSync(`${db.name}-wal`, 60_000, () => new Promise((resolve) => flushes.push(resolve)));
    commit = new GroupCommit(db, { wal });
  });
  afterEach(() => {
    for (const f of flushes) f();
    commit.close();
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v).lastInsertRowid;
  const committed = () =>
    (other.prepare('SELECT v FROM t ORDER BY id').all() as Array<{ v: string }>).map((r) => r.v);

  it('a lazy write waits for the next commit anyone makes, or commits itself after a few ms', async () => {
    await commit.writeLazy(insert('row'), 30);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(committed()).toEqual([]);
    // A derived write (routing the message) commits at the end of its turn and carries the row along.
    await commit.write(insert('routed'));
    await new Promise((r) => setImmediate(r));
    expect(committed()).toEqual(['row', 'routed']);
    // Alone, it commits after its interval, and settled() hears once a flush covers it.
    await commit.writeLazy(insert('alone'), 10);
    const settled = commit.settled();
    await new Promise((r) => setTimeout(r, 40));
    expect(committed()).toEqual(['row', 'routed', 'alone']);
    commit.durable();
    for (const f of flushes.splice(0)) f();
    await settled;
  });

  it('settled() and durable() fail when a commit rolled their writes back', async () => {
    // A deferred foreign key is checked at COMMIT: the way to make a commit fail on demand.
    db.pragma('foreign_keys = ON');
    db.exec(
      'CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)',
    );
    await commit.writeLazy(() => db.prepare('INSERT INTO child (p) VALUES (42)').run(), 5);
    const outcome = commit.settled().then(
      () => 'settled',
      (e: Error) => e.message,
    );
    // The lazy commit fails after its 5 ms.
    expect(await outcome).toMatch(/commit failed/);
    await commit.writeLazy(() => db.prepare('INSERT INTO child (p) VALUES (43)').run(), 60_000);
    await expect(commit.durable()).rejects.toThrow(/could not commit/);
  });

  it('a durable write commits at once and settles only when the WAL is on the disk', async () => {
    let done = false;
    const p = commit.writeDurable(insert('ack-me')).then(() => {
      done = true;
    });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(committed()).toEqual(['ack-me']);
    expect(done).toBe(false);
    expect(flushes).toHaveLength(1);
    flushes.shift()!();
    await p;
    expect(done).toBe(true);
  });

  it('a derived write settles once applied, commits at the end of the turn, and waits for no flush', async () => {
    await commit.write(insert('census'));
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    expect(committed()).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(committed()).toEqual(['census']);
    expect(flushes).toHaveLength(0);
  });

  it('a durable write commits with the derived writes applied before it', async () => {
    void commit.write(insert('census'));
    const durable = commit.writeDurable(insert('message'));
    let heard: unknown;
    const withListener = commit.writeDurable(insert('third'), (id) => {
      heard = id;
    });
    await new Promise((r) => setImmediate(r));
    expect(committed()).toEqual(['census', 'message', 'third']);
    expect(heard).toBe(3);
    flushes.shift()!();
    await Promise.all([durable, withListener]);
  });

  it('a failing write is rolled back alone and rejects only its caller', async () => {
    const good = commit.writeDurable(insert('one'));
    const bad = commit.writeDurable(insert('one'));
    const alsoGood = commit.write(insert('two'));
    await expect(bad).rejects.toThrow(/UNIQUE/);
    await alsoGood;
    flushes.shift()!();
    await good;
    // The derived write applied at once, before the durable ones queued for the end of the turn.
    expect(committed()).toEqual(['two', 'one']);
  });

  it('durable() commits what is open and waits for the disk', async () => {
    await commit.write(insert('accepted'));
    const onDisk = commit.durable();
    expect(committed()).toEqual(['accepted']);
    flushes.shift()!();
    await onDisk;
  });

  it('lend() hands the write lock to another connection: writes meanwhile wait in order, then apply', async () => {
    await commit.write(insert('before'));
    const writer = new Database(join(dir, 'switchboard.db'));
    writer.pragma('busy_timeout = 0');
    const order: string[] = [];
    let durableDone = false;
    const lent = commit.lend(async () => {
      // What was open committed first, so the other connection can take the lock at once.
      writer.prepare('BEGIN IMMEDIATE').run();
      writer.prepare('INSERT INTO t (v) VALUES (?)').run('lent-1');
      const queued = commit.write(insert('meanwhile')).then(() => order.push('meanwhile'));
      const lazy = commit.writeLazy(insert('lazy')).then(() => order.push('lazy'));
      void commit.durable().then(() => {
        durableDone = true;
      });
      await new Promise((resolve) => setImmediate(resolve));
      writer.prepare('INSERT INTO t (v) VALUES (?)').run('lent-2');
      expect(order).toEqual([]);
      expect(committed()).toEqual(['before']);
      writer.prepare('COMMIT').run();
      order.push('lent');
      return [queued, lazy];
    });
    const [queued, lazy] = await lent;
    await Promise.all([queued, lazy]);
    expect(order).toEqual(['lent', 'meanwhile', 'lazy']);
    await new Promise((resolve) => setImmediate(resolve));
    for (const f of flushes.splice(0)) f();
    await new Promise((resolve) => setImmediate(resolve));
    expect(durableDone).toBe(true);
    expect(committed()).toEqual(['before', 'lent-1', 'lent-2', 'meanwhile', 'lazy']);
    writer.close();
  });

  it('close() applies and commits what is still queued', () => {
    void commit.write(insert('late'));
    commit.close();
    expect(committed()).toEqual(['late']);
  });
});
