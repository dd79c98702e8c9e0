/**
 * Access tokens for push clients (RFC 6749 4.4 client credentials): `sbp.<body>.<mac>`, the body naming
 * the client, its scopes and expiry, signed with HMAC-SHA256. Signed rather than stored, so a token is
 * good across a restart and on every instance that shares the key (SWITCHBOARD_PUSH_TOKEN_SECRET; without
 * it, a key made once in the data folder, which serves one instance).
 *
 * Each check also asks the current client list: a client removed or disabled, or whose secret hash was
 * replaced (the body carries a digest of the hash it was issued under), has its tokens refused at once.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PushClient } from './push-clients.ts';

export const PUSH_TOKEN_SECRET_VARIABLE = 'SWITCHBOARD_PUSH_TOKEN_SECRET';

/** RFC 6749 4.4.3 suggests short-lived tokens; an hour is what scheduling vendors renew on. */
export const PUSH_TOKEN_LIFETIME_S = 3600;

export interface PushGrant {
  clientId: string;
  scopes: string[];
  expiresAt: Date;
}

export type PushTokenCheck = { ok: true; grant: PushGrant } | { ok: false; reason: string };

const PREFIX = 'sbp';

export class PushTokens {
  private readonly key: Buffer;

  constructor(
    secret: Buffer | string,
    private readonly clients: () => readonly PushClient[],
    private readonly now: () => Date,
    private readonly lifetimeS = PUSH_TOKEN_LIFETIME_S,
  ) {
    // A key of its own, so these tokens can never be read as any other signed value of the site.
    this.key = createHmac('sha256', secret).update('switchboard push access tokens').digest();
  }

  issue(
    client: PushClient,
    scopes: readonly string[],
  ): { token: string; expiresIn: number; grant: PushGrant } {
    const expiresAt = new Date(this.now().getTime() + this.lifetimeS * 1000);
    const body = Buffer.from(
      JSON.stringify({ c: client.id, s: scopes, exp: expiresAt.getTime(), h: hashDigest(client.secretHash) }),
    ).toString('base64url');
    return {
      token: `${PREFIX}.${body}.${this.mac(body)}`,
      expiresIn: this.lifetimeS,
      grant: { clientId: client.id, scopes: [...scopes], expiresAt },
    };
  }

  check(token: string): PushTokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== PREFIX || !parts[1] || !parts[2])
      return { ok: false, reason: 'not a Switchboard push token' };
    const [, body, mac] = parts as [string, string, string];
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { ok: false, reason: 'the token is not one this site issued' };
    let data: { c?: unknown; s?: unknown; exp?: unknown; h?: unknown };
    try {
      data = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'the token is not readable' };
    }
    if (typeof data.exp !== 'number' || typeof data.c !== 'string' || !Array.isArray(data.s))
      return { ok: false, reason: 'the token is not readable' };
    if (data.exp <= this.now().getTime()) return { ok: false, reason: 'the token has expired' };
    const client = this.clients().find((c) => c.id === data.c);
    if (!client?.enabled) return { ok: false, reason: 'the client has been revoked' };
    if (data.h !== hashDigest(client.secretHash))
      return { ok: false, reason: "the client's secret has been changed since the token was issued" };
    return {
      ok: true,
      grant: { clientId: client.id, scopes: data.s.map(String), expiresAt: new Date(data.exp) },
    };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

function hashDigest(secretHash: string): string {
  return createHash('sha256').update(secretHash).digest('base64url').slice(0, 16);
}

/**
 * The signing key: the environment's secret when set (the same on every instance of a cluster), else
 * one made once and kept in the data folder (mode 0600), which survives restarts of this instance.
 */
export function pushTokenSecret(dataDir: string, env: NodeJS.ProcessEnv): Buffer {
  const fromEnv = env[PUSH_TOKEN_SECRET_VARIABLE];
  if (fromEnv) return Buffer.from(fromEnv, 'utf8');
  const file = join(dataDir, 'push-token.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process made it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}
