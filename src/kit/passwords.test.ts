import { scryptSync } from 'node:crypto';
import { fdatasync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PasswordHasher, PasswordHashingBusy } from './passwords.ts';

const hashers: PasswordHasher[] = [];
const hasher = (options?: ConstructorParameters<typeof PasswordHasher>[0]) => {
  const h = new PasswordHasher(options);
  hashers.push(h);
  return h;
};
afterAll(async () => {
  for (const h of hashers) await h.close();
});

describe('PasswordHasher', () => {
  it('hashes and verifies on its own thread', async () => {
    const h = hasher();
    const stored = await h.hash('correct horse');
    expect(stored).toMatch(/^scrypt\$32768\$[\w-]{22}\$[\w-]{43}$/);
    expect(await h.verify('correct horse', stored)).toBe(true);
    expect(await h.verify('wrong horse', stored)).toBe(false);
  });

  it('verifies hashes already in config (the same scrypt format, made by node:crypto directly)', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('demo', salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const stored = `scrypt$32768$${salt.toString('base64url')}$${key.toString('base64url')}`;
    expect(await hasher().verify('demo', stored)).toBe(true);
  });

  it('refuses malformed hashes and costs that would take gigabytes, without hashing', async () => {
    const h = hasher();
    for (const bad of [
      '',
      'bcrypt$x',
      'scrypt$32768$AAAA',
      'scrypt$1073741824$AAAA$AAAA',
      'scrypt$3000$AAAA$AAAA',
    ])
      expect(await h.verify('x', bad)).toBe(false);
  });

  it('refuses at once when maxWaiting checks already wait', async () => {
    const h = hasher({ threads: 1, maxWaiting: 2 });
    const stored = await h.hash('pw');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => h.verify('nope', stored)));
    const busy = results.filter((r) => r.status === 'rejected');
    // One on the thread, two waiting, three refused.
    expect(busy).toHaveLength(3);
    for (const r of busy) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PasswordHashingBusy);
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => r.value)).toEqual([
      false,
      false,
      false,
    ]);
    // And serves again once the queue has drained.
    expect(await h.verify('pw', stored)).toBe(true);
  });

  it("sixteen parallel checks do not hold up a durable write on libuv's pool", async () => {
    const h = hasher({ threads: 1, maxWaiting: 32 });
    const stored = await h.hash('pw');
    const dir = mkdtempSync(join(tmpdir(), 'sb-hash-'));
    try {
      const fd = openSync(join(dir, 'journal'), 'w');
      writeSync(fd, Buffer.alloc(4096, 1));
      const checks = Array.from({ length: 16 }, () => h.verify('wrong', stored));
      const written = new Promise<void>((resolve, reject) =>
        fdatasync(fd, (e) => (e ? reject(e) : resolve())),
      );
      await expect(written).resolves.toBeUndefined();
      expect(await Promise.all(checks)).toEqual(Array(16).fill(false));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('close() fails waiting checks, and the hasher starts again when used after', async () => {
    const h = hasher({ threads: 1, maxWaiting: 4 });
    const stored = await h.hash('pw');
    const pending = [h.verify('a', stored), h.verify('b', stored)].map((p) =>
      p.catch((e: Error) => e.message),
    );
    await h.close();
    expect(await Promise.all(pending)).toEqual(['password hashing stopped', 'password hashing stopped']);
    expect(await h.verify('pw', stored)).toBe(true);
  });
});
