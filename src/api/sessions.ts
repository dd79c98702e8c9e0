import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Role = 'clinician' | 'analyst' | 'admin';

export interface SessionUser {
  username: string;
  /** The directory person this account is (clinicians), if any. */
  personId?: string;
  role: Role;
}

/**
 * Signed session tokens: `base64url(json).base64url(hmac)`. Stateless, so they survive a restart; the key
 * comes from SWITCHBOARD_SESSION_SECRET or is made once and kept in the data folder (mode 0600).
 */
export class SessionSigner {
  private readonly key: Buffer;

  constructor(
    dataDir: string,
    secret: string | undefined,
    private readonly ttlMs = 12 * 3600_000,
  ) {
    if (secret) this.key = Buffer.from(secret, 'utf8');
    else {
      const file = join(dataDir, 'session.key');
      if (!existsSync(file)) {
        mkdirSync(dataDir, { recursive: true });
        writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
      }
      this.key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    }
  }

  issue(user: SessionUser, now = Date.now()): { token: string; expiresAt: Date } {
    const exp = now + this.ttlMs;
    const body = Buffer.from(
      JSON.stringify({ u: user.username, p: user.personId, r: user.role, exp }),
    ).toString('base64url');
    return { token: `${body}.${this.sign(body)}`, expiresAt: new Date(exp) };
  }

  verify(token: string, now = Date.now()): SessionUser | undefined {
    const parts = token.split('.');
    // Exactly body.signature: anything appended would otherwise ride along on a valid token.
    if (parts.length !== 2) return undefined;
    const [body, sig] = parts as [string, string];
    if (!body || !sig) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const data = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      if (typeof data.exp !== 'number' || data.exp < now) return undefined;
      return { username: data.u, personId: data.p, role: data.r };
    } catch {
      return undefined;
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
