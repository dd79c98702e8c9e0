import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PushClient } from './push-clients.ts';
import { PushTokens, pushTokenSecret } from './push-tokens.ts';

const client: PushClient = {
  id: 'lb',
  secretHash: 'scrypt$32768$a$b',
  sources: ['anesthesia'],
  enabled: true,
};
const at = new Date('2026-03-01T12:00:00Z');

describe('push tokens', () => {
  it('a token issued by one instance (or before a restart) is good on another with the same key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'push-key-'));
    try {
      const key = pushTokenSecret(dir, {});
      expect(statSync(join(dir, 'push-token.key')).mode & 0o777).toBe(0o600);
      const before = new PushTokens(
        key,
        () => [client],
        () => at,
      );
      const { token } = before.issue(client, ['schedules:write:anesthesia']);
      const afterRestart = new PushTokens(
        pushTokenSecret(dir, {}),
        () => [client],
        () => at,
      );
      expect(afterRestart.check(token)).toMatchObject({ ok: true, grant: { clientId: 'lb' } });
      // Another instance with its own data folder needs the shared secret from the environment.
      const env = { SWITCHBOARD_PUSH_TOKEN_SECRET: 'cluster-wide' };
      const a = new PushTokens(
        pushTokenSecret(dir, env),
        () => [client],
        () => at,
      );
      const b = new PushTokens(
        pushTokenSecret(join(dir, 'other'), env),
        () => [client],
        () => at,
      );
      expect(b.check(a.issue(client, []).token).ok).toBe(true);
      expect(b.check(token)).toEqual({ ok: false, reason: 'the token is not one this site issued' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses anything appended, a changed body, and another kind of token', () => {
    const tokens = new PushTokens(
      'k',
      () => [client],
      () => at,
    );
    const { token } = tokens.issue(client, ['schedules:write:anesthesia']);
    const [prefix, body, mac] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(body, 'base64url').toString()),
        s: ['schedules:write:icu'],
      }),
    ).toString('base64url');
    for (const bad of [`${token}.x`, `${prefix}.${forged}.${mac}`, `${body}.${mac}`, 'sbp..', ''])
      expect(tokens.check(bad).ok, bad).toBe(false);
  });
});
