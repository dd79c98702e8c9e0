/**
 * Sign-in through the hospital's OpenID Connect provider (Entra ID, Okta, Ping, …): authorization code
 * with PKCE (RFC 7636), discovery, and an ID token checked for issuer, audience, nonce, expiry and its
 * signature against the provider's published keys (fetched again when a token names a key not yet seen,
 * which is how a key rotation arrives). The browser flow:
 *
 *   GET /api/sign-in/oidc            → 302 to the provider, with state, nonce and S256 challenge; the
 *                                      state is also set in a cookie, binding the flow to this browser
 *   GET /api/sign-in/oidc/callback   → code exchanged, ID token verified, person matched through the
 *                                      crosswalk, session started → 303 to the page with it (#sso=…)
 *
 * The callback goes through the sign-in guard like a password: an address that keeps sending bad
 * callbacks is locked out. The flow's secrets (PKCE verifier, nonce) are kept in the store for ten
 * minutes (api/sign-in-flows.ts), so the callback may reach any instance behind a balancer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import type { SignInGuard } from '../kit/sign-in-guard.ts';
import type { AuditLog } from '../store/port.ts';
import type { SignInFlows } from '../store/session-port.ts';
import { IdTokenKeys } from './id-token-signature.ts';
import type { OidcOptions as OidcConfig } from './identity-options.ts';
import { sendProblem } from './problem.ts';
import type { Role } from './sessions.ts';
import { holdSignIn, SIGN_IN_FLOW_MS, takeSignIn, tooManySignIns } from './sign-in-flows.ts';
import { admitSingleSignOn, type FindPerson, resolveIdentity, stringsOf } from './single-sign-on.ts';

const COOKIE = 'sb_oidc';

/** What the callback needs of the sign-in it finishes, kept under the state. */
interface Flow {
  verifier: string;
  nonce: string;
}

export interface OidcDeps {
  config: OidcConfig;
  find: FindPerson;
  extraRoles?: (personId: string) => Role[];
  guard: SignInGuard;
  /** Where sign-ins under way are kept between the redirect and the callback. */
  flows: Pick<SignInFlows, 'holdFlow' | 'takeFlow'>;
  audit: AuditLog;
  now: () => Date;
  /** Tests read the token endpoint's answer through this (openid-client's customFetch). */
  fetch?: client.CustomFetch;
}

export function oidcRoutes(app: FastifyInstance, deps: OidcDeps): void {
  const cfg = deps.config;
  let discovered: Promise<client.Configuration> | undefined;
  // Discovered on first use, not at start: an IdP that is down must not stop the router starting.
  const keys = new IdTokenKeys(async () => {
    const uri = (await configuration()).serverMetadata().jwks_uri;
    if (!uri) throw new Error('the provider publishes no jwks_uri');
    const res = await fetch(uri, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`the provider's keys could not be read (HTTP ${res.status})`);
    return (await res.json()) as { keys: [] };
  });
  const configuration = () => {
    discovered ??= discover(cfg, deps.fetch).catch((err) => {
      discovered = undefined;
      throw err;
    });
    return discovered;
  };

  app.get(
    '/api/sign-in/oidc',
    {
      config: { access: 'public' },
      schema: { summary: "Sign in through the hospital's OpenID Connect provider (302)", tags: ['sign-in'] },
    },
    async (req, reply) => {
      if (!cfg.enabled) return off(reply);
      let config: client.Configuration;
      try {
        config = await configuration();
      } catch (err) {
        req.log.error({ err }, 'OpenID Connect discovery failed');
        return sendProblem(
          reply,
          503,
          'singleSignOnFailed',
          'Identity provider not reachable',
          'try again shortly',
        );
      }
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const flow: Flow = { verifier, nonce };
      if (!(await holdSignIn(deps.flows, 'oidc', state, flow, deps.now()))) return tooManySignIns(reply);
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: cfg.redirectUri!,
        scope: cfg.scopes.join(' '),
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      reply.header(
        'set-cookie',
        `${COOKIE}=${state}; HttpOnly; SameSite=Lax; Path=/api/sign-in/oidc; Max-Age=${SIGN_IN_FLOW_MS / 1000}${secure(cfg)}`,
      );
      return reply.redirect(url.href, 302);
    },
  );

  app.get(
    '/api/sign-in/oidc/callback',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Where the OpenID Connect provider sends the browser back (303 to the page, or 401)',
        tags: ['sign-in'],
      },
    },
    async (req, reply) => {
      if (!cfg.enabled) return off(reply);
      const callback = admitSingleSignOn(req, reply, {
        method: 'oidc',
        protocol: 'OpenID Connect',
        guard: deps.guard,
        audit: deps.audit,
        now: deps.now,
        sessions: app.sessions,
        afterSignIn: cfg.afterSignIn,
      });
      if (!callback) return reply;
      const { refuse } = callback;
      const params = new URL(req.url, 'http://callback.invalid').searchParams;
      const state = params.get('state') ?? '';
      const flow = await takeSignIn<Flow>(deps.flows, 'oidc', state, deps.now());
      if (!flow) return refuse('unknown or expired sign-in (state); start again');
      if (cookieOf(req, COOKIE) !== state) return refuse('this browser did not start this sign-in');
      let claims: Record<string, unknown>;
      try {
        const config = await configuration();
        const tokens = await client.authorizationCodeGrant(config, callbackUrl(cfg, req), {
          pkceCodeVerifier: flow.verifier,
          expectedState: state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        if (!tokens.id_token) throw new Error('the provider sent no ID token');
        await keys.verify(tokens.id_token);
        claims = (tokens.claims() ?? {}) as Record<string, unknown>;
      } catch (err) {
        return refuse(`the identity provider's answer did not verify: ${describe(err)}`, err);
      }
      const resolved = resolveIdentity(
        {
          subject: `oidc:${String(claims.sub)}`,
          username: String(claims.upn ?? claims.preferred_username ?? claims.email ?? claims.sub),
          candidates: cfg.match.flatMap((m) =>
            stringsOf(claims[m.claim]).map((value) => ({ id: m.id, value })),
          ),
          groups: stringsOf(claims[cfg.rolesClaim]),
        },
        cfg,
        deps.find,
        deps.extraRoles,
      );
      if (!resolved.ok) return refuse(resolved.reason);
      reply.header('set-cookie', `${COOKIE}=; HttpOnly; SameSite=Lax; Path=/api/sign-in/oidc; Max-Age=0`);
      return callback.signIn(resolved, `subject ${String(claims.sub)}`);
    },
  );
}

async function discover(cfg: OidcConfig, fetchImpl?: client.CustomFetch): Promise<client.Configuration> {
  const issuer = new URL(cfg.issuer!);
  const local = issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
  const metadata: Partial<client.ClientMetadata> = {
    client_id: cfg.clientId!,
    redirect_uris: [cfg.redirectUri!],
    response_types: ['code'],
    [client.clockTolerance]: cfg.clockToleranceSeconds,
  };
  const auth = cfg.clientSecret ? client.ClientSecretBasic(cfg.clientSecret) : client.None();
  const execute: Array<(c: client.Configuration) => void> = [];
  // Plain HTTP only for a provider on this machine (tests, a local development IdP).
  if (local) execute.push(client.allowInsecureRequests);
  const config = await client.discovery(issuer, cfg.clientId!, metadata, auth, {
    execute,
    ...(fetchImpl ? { [client.customFetch]: fetchImpl } : {}),
  });
  if (fetchImpl) config[client.customFetch] = fetchImpl;
  return config;
}

/** The callback URL as the provider saw it: our configured redirect URI with the query we received. */
function callbackUrl(cfg: OidcConfig, req: FastifyRequest): URL {
  const url = new URL(cfg.redirectUri!);
  url.search = new URL(req.url, 'http://callback.invalid').search;
  return url;
}

function cookieOf(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function secure(cfg: OidcConfig): string {
  return cfg.redirectUri?.startsWith('https:') ? '; Secure' : '';
}

function off(reply: FastifyReply) {
  return sendProblem(reply, 404, 'singleSignOnOff', 'OpenID Connect sign-in is not configured here');
}

/** openid-client's errors in a sentence, with the check that failed (never the token itself). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && cause !== err.message ? `${err.message}: ${cause}` : err.message;
}
