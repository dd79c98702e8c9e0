import { createHash, randomBytes } from 'node:crypto';
import type { SessionEndReason, SessionRecord, SessionStore, SignInMethod } from '../store/session-port.ts';

export type Role = 'clinician' | 'analyst' | 'admin';

export interface SessionUser {
  username: string;
  /** The directory person this account is (clinicians), if any. */
  personId?: string;
  role: Role;
  /** The server-side session behind the token (absent for API tokens). */
  sessionId?: string;
  method?: SignInMethod;
}

/** How long a session lives: idle (since last use) and absolute (since sign-in). */
export interface SessionLimits {
  /** @defaultValue 60 */
  idleMinutes: number;
  /** @defaultValue 12 */
  absoluteHours: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMinutes: 60, absoluteHours: 12 };

/** Roles by what they may do, weakest first: the strongest one a person holds is the session's role. */
export const ROLE_ORDER: readonly Role[] = ['clinician', 'analyst', 'admin'];

/** Last-seen times closer than this are not written again: every request must not be a write. */
const TOUCH_EVERY_MS = 30_000;

/** How a session began, for the admin's list and the audit. */
export interface SessionStart {
  method: SignInMethod;
  device?: string | null;
  address?: string | null;
}

/**
 * Server-side sessions: a sign-in gets a random opaque token (256 bits), and only its SHA-256 is stored,
 * so sign-out, idle and absolute timeouts, and an admin's or SCIM's revocation take effect on the very
 * next request: every request looks its session up (one indexed read, no cache to go stale). Those who
 * hold a live connection for a session (the clinician WebSocket) hear when it ends, to close it.
 */
export class SessionKeeper {
  private readonly listeners = new Set<(ended: readonly SessionRecord[]) => void>();

  constructor(
    private readonly deps: {
      store: SessionStore;
      limits: SessionLimits;
      now: () => Date;
    },
  ) {}

  get limits(): SessionLimits {
    return this.deps.limits;
  }

  async begin(
    user: Omit<SessionUser, 'sessionId' | 'method'>,
    start: SessionStart,
  ): Promise<{ token: string; expiresAt: Date; sessionId: string }> {
    const now = this.deps.now();
    const token = randomBytes(32).toString('base64url');
    const sessionId = randomBytes(12).toString('base64url');
    const absolute = new Date(now.getTime() + this.deps.limits.absoluteHours * 3600_000);
    await this.deps.store.create({
      id: sessionId,
      tokenHash: tokenHash(token),
      username: user.username,
      personId: user.personId ?? null,
      roles: [user.role],
      method: start.method,
      device: start.device ?? null,
      address: start.address ?? null,
      createdAt: now,
      idleExpiresAt: this.idleExpiry(now, absolute),
      absoluteExpiresAt: absolute,
    });
    return { token, expiresAt: absolute, sessionId };
  }

  /** The user of a live session's token, its use recorded; null for an unknown, ended or expired one. */
  async check(token: string): Promise<(SessionUser & { record: SessionRecord }) | null> {
    const now = this.deps.now();
    const record = await this.deps.store.live(tokenHash(token), now);
    if (!record) return null;
    if (now.getTime() - record.lastSeenAt.getTime() >= TOUCH_EVERY_MS)
      await this.deps.store.touch(record.id, now, this.idleExpiry(now, record.absoluteExpiresAt));
    return {
      username: record.username,
      ...(record.personId ? { personId: record.personId } : {}),
      role: strongest(record.roles),
      sessionId: record.id,
      method: record.method,
      record,
    };
  }

  /** Ends the session of a token (sign-out); false when it was not live. */
  async signOut(sessionId: string): Promise<boolean> {
    const ended = await this.deps.store.end(sessionId, this.deps.now(), 'signed-out');
    if (ended) this.tell([{ id: sessionId } as SessionRecord]);
    return ended;
  }

  /** Ends every live session of a person (an admin's revocation, a SCIM or LDAP deactivation). */
  async endPerson(personId: string, reason: SessionEndReason): Promise<SessionRecord[]> {
    const ended = await this.deps.store.endAll({ personId }, this.deps.now(), reason);
    if (ended.length) this.tell(ended);
    return ended;
  }

  /** Ends every live session of an account name (an account removed from accounts.yaml). */
  async endAccount(username: string, reason: SessionEndReason): Promise<SessionRecord[]> {
    const ended = await this.deps.store.endAll({ username }, this.deps.now(), reason);
    if (ended.length) this.tell(ended);
    return ended;
  }

  /** Ends the sessions on a shared device (another person took it). */
  async endOnDevice(device: string, reason: SessionEndReason): Promise<SessionRecord[]> {
    const ended = await this.deps.store.endOnDevice(device, this.deps.now(), reason);
    if (ended.length) this.tell(ended);
    return ended;
  }

  listOf(personId: string, includeEnded = false): Promise<SessionRecord[]> {
    return this.deps.store.listOf(personId, { includeEnded, limit: 100 });
  }

  /** Hears of sessions ended here (sign-out, revocation), to close what they hold open. */
  onEnded(listener: (ended: readonly SessionRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tell(ended: readonly SessionRecord[]): void {
    for (const listener of this.listeners) listener(ended);
  }

  private idleExpiry(now: Date, absolute: Date): Date {
    return new Date(Math.min(now.getTime() + this.deps.limits.idleMinutes * 60_000, absolute.getTime()));
  }
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The strongest of a session's roles (clinician when none is known). */
export function strongest(roles: readonly string[]): Role {
  let best: Role = 'clinician';
  for (const r of roles)
    if (ROLE_ORDER.includes(r as Role) && ROLE_ORDER.indexOf(r as Role) > ROLE_ORDER.indexOf(best))
      best = r as Role;
  return best;
}
