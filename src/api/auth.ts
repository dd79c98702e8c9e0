import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './problem.ts';
import type { Role, SessionSigner, SessionUser } from './sessions.ts';
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
    verifyToken(token: string): SessionUser | null;
  }
}

/** Paths open without signing in: health for monitors, sign-in itself, and the static pages. */
// The WebSocket checks its token itself after the upgrade, so a refused device gets close code 4401 (an
// HTTP 401 at the handshake looks like a dead network to a browser, and left the upgraded socket dangling).
const open = (url: string) =>
  !url.startsWith('/api/') ||
  url === '/api/health' ||
  url.startsWith('/api/session') ||
  url.startsWith('/api/ws');

/**
 * Authentication on every API endpoint but health: a bearer token from `POST /api/session` (accounts from
 * config, scrypt password hashes) or an API token (from the environment). Accounts are read through a
 * function so an accounts reload is seen at once.
 */
export function registerAuth(
  app: FastifyInstance,
  deps: {
    accounts: () => readonly Account[];
    apiTokens: () => readonly ApiToken[];
    signer: SessionSigner;
    personName: (id: string) => string | undefined;
    /** Password checks with brute-force protection (./sign-in.ts). */
    signIn: PasswordSignIn;
  },
): void {
  app.decorateRequest('user', null);
  app.decorate('verifyToken', (token: string) => authenticate(token, deps));

  app.addHook('onRequest', async (req, reply) => {
    if (open(req.url)) return;
    const header = req.headers.authorization;
    const query = (req.query as Record<string, string | undefined>)?.token;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : query;
    req.user = token ? authenticate(token, deps) : null;
    if (!req.user)
      return sendProblem(
        reply,
        401,
        'Sign in required',
        'send Authorization: Bearer <token> from POST /api/session',
      );
  });

  app.post('/api/session', async (req, reply) => {
    const body = (req.body ?? {}) as { username?: unknown; password?: unknown };
    if (typeof body.username !== 'string' || typeof body.password !== 'string') {
      return sendProblem(reply, 400, 'Invalid sign-in', 'send JSON {"username": "...", "password": "..."}');
    }
    const account = deps.accounts().find((a) => a.username === body.username);
    const verdict = await deps.signIn.check(body.username, body.password, account?.passwordHash, req.ip);
    if (verdict.outcome === 'locked' || verdict.outcome === 'busy') return sendSignInRefusal(reply, verdict);
    if (!account || verdict.outcome !== 'signed-in')
      return sendProblem(reply, 401, 'Wrong user name or password');
    const user: SessionUser = { username: account.username, personId: account.person, role: account.role };
    const { token, expiresAt } = deps.signer.issue(user);
    const person = account.person
      ? { id: account.person, name: deps.personName(account.person) ?? account.person }
      : null;
    return { token, expiresAt, role: account.role, person };
  });
}

export function authenticate(token: string, deps: Parameters<typeof registerAuth>[1]): SessionUser | null {
  const session = deps.signer.verify(token);
  if (session) return deps.accounts().some((a) => a.username === session.username) ? session : null;
  const given = Buffer.from(token);
  for (const t of deps.apiTokens()) {
    const expected = Buffer.from(t.token);
    if (expected.length === given.length && timingSafeEqual(expected, given))
      return { username: `token:${t.name}`, role: t.role };
  }
  return null;
}

/** Refuses the request unless the user has one of the roles. Returns true when it refused. */
export function forbidUnless(req: FastifyRequest, reply: FastifyReply, ...roles: Role[]): boolean {
  if (req.user && roles.includes(req.user.role)) return false;
  void sendProblem(reply, 403, 'Not allowed', `needs the role ${roles.join(' or ')}`);
  return true;
}
