/**
 * Server-side sessions: a signed-in person's session lives here, so sign-out, timeouts and an admin's
 * revocation are real (a stateless token could not be taken back). The bearer token itself is never
 * stored: only its SHA-256, so a copy of the database signs nobody in.
 */

/** How a session was signed in. 'device' is a shared device a badge tap or an MDM check-in handed over. */
/** 'ehr': opened from inside the EHR (a SMART launch or a signed launch link). */
export type SignInMethod = 'password' | 'oidc' | 'saml' | 'device' | 'ehr';

/** Why a session ended. */
export type SessionEndReason =
  | 'signed-out'
  | 'idle'
  | 'expired'
  | 'revoked'
  | 'deactivated'
  | 'replaced'
  | 'account-removed';

export interface NewSession {
  /** The public id (listed to admins, used to end one session); not the token. */
  id: string;
  /** SHA-256 of the bearer token, hex. */
  tokenHash: string;
  /** The account name, or for single sign-on the identity provider's subject (`oidc:…`, `saml:…`). */
  username: string;
  /** The directory person, when the account is one. */
  personId: string | null;
  /** Roles as the access table names them ('clinician', 'analyst', 'admin'). */
  roles: string[];
  method: SignInMethod;
  /** The shared device this session is on, if any (a unit phone's id). */
  device: string | null;
  /** Where the sign-in came from (IP address), for the admin's session list. */
  address: string | null;
  createdAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
}

export interface SessionRecord extends Omit<NewSession, 'tokenHash'> {
  lastSeenAt: Date;
  endedAt: Date | null;
  endReason: SessionEndReason | null;
}

export interface SessionStore extends SignInFlows {
  create(session: NewSession): Promise<SessionRecord>;
  /** The session of a token hash if it has not ended and neither expiry has passed at `now`. */
  live(tokenHash: string, now: Date): Promise<SessionRecord | undefined>;
  /** Records use: last seen, and the idle expiry pushed on (never past the absolute expiry). */
  touch(id: string, lastSeenAt: Date, idleExpiresAt: Date): Promise<void>;
  /** Ends one session; false when it had already ended or does not exist. */
  end(id: string, at: Date, reason: SessionEndReason): Promise<boolean>;
  /** Ends every live session of a person (personId) or account (username); returns the ones ended. */
  endAll(
    who: { personId: string } | { username: string },
    at: Date,
    reason: SessionEndReason,
  ): Promise<SessionRecord[]>;
  /** Ends every live session on a shared device (a new person took it); returns the ones ended. */
  endOnDevice(device: string, at: Date, reason: SessionEndReason): Promise<SessionRecord[]>;
  /** A person's sessions, newest first; ended ones only when asked (the last `limit`). */
  listOf(personId: string, options?: { includeEnded?: boolean; limit?: number }): Promise<SessionRecord[]>;
  /** Marks sessions whose expiry passed before `now` as ended ('idle' or 'expired'); returns how many. */
  sweep(now: Date): Promise<number>;

  /**
   * Records `key` as used until `expiresAt`; true the first time, false when it was already used (a
   * replayed SAML assertion id). Keys past their expiry at `now` are forgotten.
   */
  useOnce(key: string, expiresAt: Date, now: Date): Promise<boolean>;
}

/**
 * Single sign-on's kinds of sign-in under way: an OpenID Connect or a SMART launch's state, a SAML
 * AuthnRequest id. Each kind is bounded on its own, so a flood of one cannot stop the others.
 */
export type SignInFlowKind = 'oidc' | 'saml' | 'smart';

export interface SignInFlow {
  kind: SignInFlowKind;
  /** What the browser brings back: the state, or the request id. */
  key: string;
  /** What the callback needs to finish (a PKCE verifier, a nonce), as the route wrote it. */
  value: string;
  expiresAt: Date;
}

/**
 * Sign-ins between the redirect to the identity provider and its callback. Kept in the store, not in the
 * process that started them, so the callback may reach any instance behind a balancer that is not sticky.
 * A flow past its expiry is never returned, and is deleted when another flow is held or at `sweep`.
 */
export interface SignInFlows {
  /**
   * Keeps a flow until its expiry; false (nothing kept) when `limit` unexpired flows of its kind are
   * already open at `now`, so nobody can fill the table by starting sign-ins they never finish.
   */
  holdFlow(flow: SignInFlow, now: Date, limit: number): Promise<boolean>;
  /** The flow's value, deleted in the same statement: of two callbacks with one key, only one gets it. */
  takeFlow(kind: SignInFlowKind, key: string, now: Date): Promise<string | undefined>;
  /** The flow's value, left in place (a check before the answer is verified, as node-saml makes one). */
  peekFlow(kind: SignInFlowKind, key: string, now: Date): Promise<string | undefined>;
}

/** Who holds a shared device now, as the last badge tap or MDM check-in reported it. */
export interface DeviceLogin {
  device: string;
  personId: string;
  /** What reported it ('badge', 'mdm', an integration's name). */
  source: string;
  since: Date;
}

export interface DeviceLoginStore {
  /** Hands a device to a person; returns who held it before (null when nobody, or the same person). */
  handOver(login: DeviceLogin): Promise<DeviceLogin | null>;
  /** Ends a device's login (the person tapped out); returns who held it. */
  release(device: string): Promise<DeviceLogin | null>;
  holder(device: string): Promise<DeviceLogin | undefined>;
  /** The devices a person holds now. */
  devicesOf(personId: string): Promise<DeviceLogin[]>;
}
