/**
 * What OpenID Connect and SAML share once the identity provider's answer is verified: the person it names
 * (through the directory's crosswalk), the role it grants, a session, and the hand-over to the page.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { describeLockout, type LockoutLimits, lockoutSubject, SignInGuard } from '../kit/sign-in-guard.ts';
import type { AuditLog } from '../store/port.ts';
import { sendProblem } from './problem.ts';
import type { Role, SessionKeeper, SessionUser } from './sessions.ts';
import { strongest } from './sessions.ts';
import { sendSignInRefusal } from './sign-in.ts';

/** Finds an active directory person by a crosswalk kind (upn, employeeId, …) or our own id ('id'). */
export type FindPerson = (kind: string, value: string) => { id: string; name: string } | undefined;

export interface IdentityMapping {
  roleMap: Record<string, Role>;
  defaultRole?: Role;
}

/** A verified answer of the identity provider, reduced to what Switchboard reads. */
export interface VerifiedIdentity {
  /** `oidc:<sub>` or `saml:<NameID>`: stable per person at that IdP. */
  subject: string;
  /** Shown in session lists and the audit: the UPN or user name if the IdP sent one. */
  username: string;
  /** The values to match, in order: crosswalk kind and the value the IdP gave for it. */
  candidates: Array<{ id: string; value: string }>;
  /** Role or group names (or ids) the IdP says the person has. */
  groups: string[];
}

export type Resolution =
  | { ok: true; user: SessionUser; person: { id: string; name: string } | null }
  | { ok: false; reason: string };

/**
 * The person and role of a verified identity. A clinician must be a directory person (alerts go to
 * people); staff (analyst, admin) may sign in without one. A role comes from the IdP's groups through
 * `roleMap`, or from the person's provisioned groups (`extraRoles`), else `defaultRole`; none refuses.
 */
export function resolveIdentity(
  identity: VerifiedIdentity,
  mapping: IdentityMapping,
  find: FindPerson,
  extraRoles: (personId: string) => Role[] = () => [],
): Resolution {
  let person: { id: string; name: string } | undefined;
  for (const c of identity.candidates) {
    person = find(c.id, c.value);
    if (person) break;
  }
  const granted = identity.groups.flatMap((g) => (mapping.roleMap[g] ? [mapping.roleMap[g]] : []));
  if (person) granted.push(...extraRoles(person.id));
  if (!granted.length && mapping.defaultRole) granted.push(mapping.defaultRole);
  if (!granted.length)
    return { ok: false, reason: `${identity.username} has no Switchboard role (no mapped group or role)` };
  const role = strongest(granted);
  if (!person && role === 'clinician')
    return {
      ok: false,
      reason: `${identity.username} is not in the directory (matched by ${[...new Set(identity.candidates.map((c) => c.id))].join(', ') || 'nothing'}) or is deactivated`,
    };
  return {
    ok: true,
    user: { username: identity.username, role, ...(person ? { personId: person.id } : {}) },
    person: person ?? null,
  };
}

/**
 * Starts the session and sends the browser to the page with it in the URL fragment (`#sso=…`), which
 * never reaches a server or a log; the page keeps it in sessionStorage as after a password sign-in.
 */
export async function handOverSession(
  reply: FastifyReply,
  sessions: SessionKeeper,
  resolved: Extract<Resolution, { ok: true }>,
  start: { method: 'oidc' | 'saml'; address: string },
  afterSignIn: string,
) {
  const { token, expiresAt } = await sessions.begin(resolved.user, start);
  const session = { token, expiresAt, role: resolved.user.role, person: resolved.person };
  const fragment = Buffer.from(JSON.stringify(session)).toString('base64url');
  return reply.redirect(`${afterSignIn}#sso=${fragment}`, 303);
}

/** A single sign-on callback (OIDC callback, SAML ACS) the guard let in; end it once, with one of these. */
export interface SingleSignOnCallback {
  /** Counts a failed sign-in of the address, audits `sign-in.<method>.refused`, answers 401 with the reason. */
  refuse(reason: string, err?: unknown): Promise<FastifyReply>;
  /** Audits `sign-in.<method>` with the role and `detail`, starts the session and hands it to the page. */
  signIn(resolved: Extract<Resolution, { ok: true }>, detail: string): Promise<FastifyReply>;
}

export interface SingleSignOnCallbackDeps {
  method: 'oidc' | 'saml';
  /** The protocol as the log names it: 'OpenID Connect', 'SAML'. */
  protocol: string;
  guard: SignInGuard;
  audit: AuditLog;
  now: () => Date;
  sessions: SessionKeeper;
  afterSignIn: string;
}

/**
 * Lets a callback from `req.ip` through the single sign-on guard. A locked-out address is answered here
 * (429 with Retry-After) and gets undefined; otherwise the callback ends with `refuse` or `signIn`.
 */
export function admitSingleSignOn(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: SingleSignOnCallbackDeps,
): SingleSignOnCallback | undefined {
  const admission = deps.guard.admit(`${deps.method}:${req.ip}`, req.ip);
  if (!admission.admitted) {
    sendSignInRefusal(reply, { outcome: 'locked', retryAfterSeconds: admission.retryAfterSeconds });
    return undefined;
  }
  return {
    async refuse(reason, err) {
      req.log.warn({ err, reason }, `${deps.protocol} sign-in refused`);
      await admission.attempt.failed();
      await deps.audit.record({
        at: deps.now(),
        actor: 'system',
        action: `sign-in.${deps.method}.refused`,
        subject: `address:${req.ip}`,
        detail: reason,
      });
      return sendProblem(reply, 401, 'singleSignOnFailed', 'Single sign-on refused', reason);
    },
    async signIn(resolved, detail) {
      admission.attempt.succeeded();
      await deps.audit.record({
        at: deps.now(),
        actor: resolved.user.username,
        action: `sign-in.${deps.method}`,
        subject: resolved.person ? `person:${resolved.person.id}` : `account:${resolved.user.username}`,
        detail: `role ${resolved.user.role}, ${detail}`,
      });
      return handOverSession(
        reply,
        deps.sessions,
        resolved,
        { method: deps.method, address: req.ip },
        deps.afterSignIn,
      );
    },
  };
}

/** Claim values as a list of strings (a claim may be one string, a list, or absent). */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * The guard of the single sign-on callbacks (OIDC callback, SAML ACS): a refused answer counts as a
 * failed sign-in of its address, with the limits of `http.signIn.address`, so a client replaying forged
 * assertions is locked out like one guessing passwords. Locks show and lift as `sso-address`.
 */
export function singleSignOnGuard(
  limits: { address: LockoutLimits },
  deps: { audit: AuditLog; log: Logger; now: () => Date },
): SignInGuard {
  return new SignInGuard({
    subjectKind: 'sso',
    addressKind: 'sso-address',
    subject: limits.address,
    address: limits.address,
    now: () => deps.now().getTime(),
    onLockout: async (lock) => {
      deps.log.warn({ kind: lock.kind, key: lock.key, until: lock.until }, 'single sign-on lockout');
      await deps.audit
        .record({
          at: deps.now(),
          actor: 'system',
          action: 'sign-in.lockout',
          subject: lockoutSubject(lock),
          detail: describeLockout(lock),
        })
        .catch((err) => deps.log.error({ err }, 'single sign-on lockout not audited'));
    },
  });
}
