import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { allows, declaredAccess, type RouteAccess, recordRouteAccess } from './access.ts';
import { sendProblem } from './problem.ts';
import { problem } from './schemas.ts';
import type { Role, SessionKeeper, SessionUser } from './sessions.ts';
import { type PasswordSignIn, sendSignInRefusal } from './sign-in.ts';

export interface Account {
  username: string;
  person?: string;
  role: Role;
  passwordHash: string;
}

export interface ApiToken {
  name: string;
  role: Role;
  token: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
  }
  interface FastifyInstance {
    /** Checks a session or API token (for the WebSocket, which checks after its upgrade). */
    verifyToken(token: string): Promise<SessionUser | null>;
    /** Every route with the access it declared, in the order added. */
    routeAccess: readonly RouteAccess[];
    /** Server-side sessions: sign-out, revocation, and what to close when one ends. */
    sessions: SessionKeeper;
  }
}

/**
 * Sign-in and authorization for every route: a bearer token of a server-side session (./sessions.ts; from
 * `POST /api/session` with an account from config and its scrypt password hash, or from single sign-on)
 * or an API token (from the environment), checked against the access the matched route declares
 * (./access.ts). Registered before any route, so its route recorder sees them all. Accounts are read
 * through a function so an accounts reload is seen at once.
 */
export function registerAuth(
  app: FastifyInstance,
  deps: {
    accounts: () => readonly Account[];
    apiTokens: () => readonly ApiToken[];
    sessions: SessionKeeper;
    personName: (id: string) => string | undefined;
    /** Password checks with brute-force protection (./sign-in.ts). */
    signIn: PasswordSignIn;
    /** False when the site signs in through its identity provider only (identity.localAccounts). */
    localAccounts?: () => boolean;
    /** False for a person deactivated by provisioning: no new session, and held ones stop working. */
    personActive?: (personId: string) => boolean;
  },
): void {
  app.decorateRequest('user', null);
  app.decorate('verifyToken', (token: string) => authenticate(token, deps));
  app.decorate('sessions', deps.sessions);
  const table: RouteAccess[] = [];
  app.decorate('routeAccess', table);
  recordRouteAccess(app, table);

  // Decided on the route fastify matched (its own declared access), never on the URL's spelling.
  app.addHook('onRequest', async (req, reply) => {
    if (req.is404) return;
    const access = declaredAccess(req.routeOptions.config, req.routeOptions.url ?? '');
    if (access === 'public') return;
    const token = bearerToken(req.headers.authorization);
    req.user = token ? await authenticate(token, deps) : null;
    if (!req.user)
      return sendProblem(
        reply,
        401,
        'signInRequired',
        'Sign in required',
        'send Authorization: Bearer <token> from POST /api/session',
      );
    if (!allows(access, req.user.role))
      return sendProblem(
        reply,
        403,
        'roleRequired',
        'Not allowed',
        `needs the role ${(access as Role[]).join(' or ')}`,
      );
  });

  app.post<{ Body: { username: string; password: string } }>(
    '/api/session',
    { config: { access: 'public' }, schema: SESSION_SCHEMA },
    async (req, reply) => {
      const body = req.body;
      if (deps.localAccounts && !deps.localAccounts())
        return sendProblem(
          reply,
          403,
          'localSignInOff',
          'Sign in through the hospital',
          'local accounts are switched off here; use single sign-on',
        );
      const account = deps.accounts().find((a) => a.username === body.username);
      const verdict = await deps.signIn.check(body.username, body.password, account?.passwordHash, req.ip);
      if (verdict.outcome === 'locked' || verdict.outcome === 'busy')
        return sendSignInRefusal(reply, verdict);
      if (!account || verdict.outcome !== 'signed-in')
        return sendProblem(reply, 401, 'signInFailed', 'Wrong user name or password');
      if (account.person && deps.personActive && !deps.personActive(account.person))
        return sendProblem(reply, 403, 'signInFailed', 'Account deactivated', 'this person was deactivated');
      const user: SessionUser = { username: account.username, personId: account.person, role: account.role };
      const { token, expiresAt } = await deps.sessions.begin(user, { method: 'password', address: req.ip });
      const person = account.person
        ? { id: account.person, name: deps.personName(account.person) ?? account.person }
        : null;
      return { token, expiresAt, role: account.role, person };
    },
  );
}

const SESSION_SCHEMA = {
  summary: 'Sign in: a bearer token for the other routes',
  tags: ['sign-in'],
  body: {
    type: 'object',
    required: ['username', 'password'],
    properties: { username: { type: 'string' }, password: { type: 'string' } },
  },
  response: {
    401: problem('Wrong user name or password'),
    403: problem('Local accounts are switched off, or the person was deactivated'),
    429: problem('Sign-in locked for this account or address; see Retry-After'),
    503: problem('Too many sign-ins at once; see Retry-After'),
  },
};

export async function authenticate(
  token: string,
  deps: Parameters<typeof registerAuth>[1],
): Promise<SessionUser | null> {
  const given = Buffer.from(token);
  for (const t of deps.apiTokens()) {
    const expected = Buffer.from(t.token);
    if (expected.length === given.length && timingSafeEqual(expected, given))
      return { username: `token:${t.name}`, role: t.role };
  }
  const session = await deps.sessions.check(token);
  if (!session) return null;
  const { record: _record, ...user } = session;
  if (user.personId && deps.personActive && !deps.personActive(user.personId)) {
    await deps.sessions.endPerson(user.personId, 'deactivated');
    return null;
  }
  if (user.method !== 'password') return user;
  // A password session lasts only while its account does, and while local accounts are allowed.
  const local = deps.localAccounts ? deps.localAccounts() : true;
  if (local && deps.accounts().some((a) => a.username === user.username)) return user;
  await deps.sessions.endAccount(user.username, 'account-removed');
  return null;
}

/** The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive, RFC 7235). */
function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer +([^\s]+)\s*$/i.exec(header) : null;
  return match?.[1];
}
