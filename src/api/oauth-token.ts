/**
 * `POST /oauth/token`: the OAuth 2.0 token endpoint for push clients, client credentials grant only
 * (RFC 6749 4.4). The client authenticates with HTTP Basic (client_secret_basic, 2.3.1: id and secret
 * form-encoded, then base64) or with client_id and client_secret in the form (client_secret_post), never
 * both. A secret is checked against its scrypt hash through the same guard and hashing threads as account
 * passwords: repeated failures lock the client id or the address, and a busy hasher answers 503.
 *
 * Errors are RFC 6749 5.2 JSON (`error`, `error_description`), which OAuth libraries read; the same body
 * also carries the problem fields (`type`, `title`, `status`) every other Switchboard answer has.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PROBLEM_TYPES } from './problem.ts';
import { type PushClient, writeScope } from './push-clients.ts';
import type { PushTokens } from './push-tokens.ts';
import type { PasswordSignIn } from './sign-in.ts';

export interface TokenEndpointDeps {
  clients: () => readonly PushClient[];
  tokens: PushTokens;
  /** The secret check, with brute-force locks (a guard of its own, not the accounts'). */
  secrets: PasswordSignIn;
}

type OAuthError =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'temporarily_unavailable';

const FORM = 'application/x-www-form-urlencoded';

const TOKEN_SCHEMA = {
  summary: 'An access token for a scheduling system that pushes shifts (OAuth 2.0 client credentials)',
  description:
    'RFC 6749 4.4. Authenticate with HTTP Basic (client_secret_basic) or client_id and client_secret in the form (client_secret_post). The token lasts an hour (`expires_in`); ask for a new one the same way. Errors follow RFC 6749 5.2.',
  tags: ['schedule push'],
  consumes: [FORM],
  body: {
    type: 'object',
    required: ['grant_type'],
    properties: {
      grant_type: { type: 'string', enum: ['client_credentials'], description: 'always client_credentials' },
      scope: {
        type: 'string',
        description:
          'space-separated: `schedules:write:<source>` for each push source, or `schedules:write` for all the client may write (the default)',
      },
      client_id: { type: 'string', description: 'with client_secret_post' },
      client_secret: { type: 'string', description: 'with client_secret_post' },
    },
  },
  response: {
    200: {
      description: 'The token',
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in', 'scope'],
      properties: {
        access_token: { type: 'string' },
        token_type: { type: 'string', enum: ['Bearer'] },
        expires_in: { type: 'integer', description: 'seconds (3600)' },
        scope: { type: 'string', description: 'the scopes granted, space-separated' },
      },
    },
    400: oauthError('invalid_request, unsupported_grant_type or invalid_scope'),
    401: oauthError('invalid_client: unknown client, wrong secret or revoked'),
    429: oauthError('invalid_client: locked after repeated failures; see Retry-After'),
    503: oauthError('temporarily_unavailable: too many secrets being checked; see Retry-After'),
  },
};

function oauthError(description: string) {
  return {
    description,
    type: 'object',
    required: ['error'],
    properties: {
      error: { type: 'string' },
      error_description: { type: 'string' },
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
    },
  };
}

export function tokenEndpoint(app: FastifyInstance, deps: TokenEndpointDeps): void {
  // Form bodies are read only here (encapsulated), where RFC 6749 requires them.
  void app.register(async (scope) => {
    scope.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => {
      const fields: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(body as string)) {
        const had = fields[k];
        fields[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
      }
      done(null, fields);
    });
    scope.post(
      '/oauth/token',
      // Public: the client's credentials are checked here, not a session.
      { config: { access: 'public' }, schema: TOKEN_SCHEMA, attachValidation: true },
      async (req, reply) => {
        if (
          !String(req.headers['content-type'] ?? '')
            .toLowerCase()
            .startsWith(FORM)
        )
          return refuse(reply, 400, 'invalid_request', `send the parameters as ${FORM} (RFC 6749 4.4.2)`);
        const form = (req.body ?? {}) as Record<string, unknown>;
        const repeated = Object.keys(form).filter((k) => Array.isArray(form[k]));
        if (repeated.length)
          return refuse(reply, 400, 'invalid_request', `given more than once: ${repeated.join(', ')}`);
        if (form.grant_type === undefined)
          return refuse(reply, 400, 'invalid_request', 'grant_type is required');
        if (form.grant_type !== 'client_credentials')
          return refuse(reply, 400, 'unsupported_grant_type', 'only client_credentials is offered');
        if (req.validationError) return refuse(reply, 400, 'invalid_request', req.validationError.message);

        const basic = basicCredentials(req.headers.authorization);
        const posted = form.client_id !== undefined || form.client_secret !== undefined;
        if (basic === 'malformed')
          return refuse(reply, 401, 'invalid_client', 'the Basic credentials are not readable');
        if (basic && posted)
          return refuse(
            reply,
            400,
            'invalid_request',
            'use one way to authenticate: Basic or the form, not both',
          );
        const id = basic ? basic.id : String(form.client_id ?? '');
        const secret = basic ? basic.secret : String(form.client_secret ?? '');
        if (!id || !secret) return refuse(reply, 401, 'invalid_client', 'client authentication is required');

        const client = deps.clients().find((c) => c.id === id);
        const verdict = await deps.secrets.check(id, secret, client?.secretHash, req.ip);
        if (verdict.outcome === 'busy' || verdict.outcome === 'locked') {
          reply.header('retry-after', String(verdict.retryAfterSeconds));
          return verdict.outcome === 'busy'
            ? refuse(
                reply,
                503,
                'temporarily_unavailable',
                'too many secrets are being checked; try again shortly',
              )
            : refuse(
                reply,
                429,
                'invalid_client',
                `locked after repeated failures; try again in ${verdict.retryAfterSeconds} s`,
              );
        }
        if (verdict.outcome !== 'signed-in' || !client)
          return refuse(reply, 401, 'invalid_client', 'unknown client or wrong secret');
        if (!client.enabled) return refuse(reply, 401, 'invalid_client', 'this client has been revoked');

        const granted = grantScopes(client, form.scope);
        if ('refused' in granted) return refuse(reply, 400, 'invalid_scope', granted.refused);
        const issued = deps.tokens.issue(client, granted.scopes);
        // RFC 6749 5.1: a token must not be kept by any cache on the way.
        reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
        return {
          access_token: issued.token,
          token_type: 'Bearer',
          expires_in: issued.expiresIn,
          scope: granted.scopes.join(' '),
        };
      },
    );
  });
}

/** The scopes a request may have: all of the client's when it names none (RFC 6749 3.3 default). */
export function grantScopes(
  client: PushClient,
  requested: unknown,
): { scopes: string[] } | { refused: string } {
  const allowed = client.sources.map(writeScope);
  if (requested === undefined || (typeof requested === 'string' && requested.trim() === ''))
    return allowed.length ? { scopes: allowed } : { refused: 'this client may write no source' };
  if (typeof requested !== 'string') return { refused: 'scope must be text' };
  const out = new Set<string>();
  for (const s of requested.trim().split(/ +/)) {
    if (s === 'schedules:write') for (const a of allowed) out.add(a);
    else if (allowed.includes(s)) out.add(s);
    else
      return { refused: `${s} is not granted to this client (it may have: ${allowed.join(' ') || 'none'})` };
  }
  return out.size ? { scopes: [...out] } : { refused: 'this client may write no source' };
}

/** RFC 6749 2.3.1 / RFC 7617: `Basic base64(urlencode(id):urlencode(secret))`. */
function basicCredentials(
  header: string | undefined,
): { id: string; secret: string } | 'malformed' | undefined {
  if (!header) return undefined;
  const m = /^Basic +([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return /^Basic\b/i.test(header) ? 'malformed' : undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  try {
    const form = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: form(decoded.slice(0, colon)), secret: form(decoded.slice(colon + 1)) };
  } catch {
    return 'malformed';
  }
}

function refuse(reply: FastifyReply, status: number, error: OAuthError, description: string) {
  // RFC 6749 5.2: a refused client is told which scheme authenticates it.
  if (status === 401) reply.header('www-authenticate', 'Basic realm="switchboard"');
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  return reply.code(status).type('application/json').send({
    error,
    error_description: description,
    type: PROBLEM_TYPES.tokenRequestRefused,
    title: 'Token request refused',
    status,
  });
}
