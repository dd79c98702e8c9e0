/**
 * SAML 2.0 service provider (@node-saml/node-saml) for identity providers that speak SAML (ADFS, Entra,
 * Okta, Ping):
 *
 *   GET  /api/sign-in/saml           → 302 to the IdP with an AuthnRequest (HTTP-Redirect binding)
 *   POST /api/sign-in/saml/acs       ← the IdP's Response (HTTP-POST binding) → 303 to the page with a
 *                                      session (#sso=…), or 401 saying what was wrong
 *   GET  /api/sign-in/saml/metadata  → our SP metadata for the IdP administrator
 *
 * Checks on a Response: the assertion is signed by the IdP's certificate (an unsigned one is refused);
 * Issuer is the IdP; the audience is our entity id; the subject's Recipient (and the Response's
 * Destination, when present) is our ACS URL; NotBefore / NotOnOrAfter with a small clock tolerance; it
 * answers a request we made (IdP-initiated sign-in is off unless allowIdpInitiated: it is how a login
 * CSRF gets in; the ids of our requests are kept in the store, so any instance knows them); and its
 * assertion ID has not been used before (kept in the store until it expires, so
 * a replay is refused across restarts and instances).
 */

import { type Profile, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SignInGuard } from '../kit/sign-in-guard.ts';
import type { AuditLog } from '../store/port.ts';
import type { SessionStore, SignInFlows } from '../store/session-port.ts';
import type { SamlOptions as SamlConfig } from './identity-options.ts';
import { sendProblem } from './problem.ts';
import type { Role } from './sessions.ts';
import { SIGN_IN_FLOW_MS, samlRequestIds, TooManySignIns, tooManySignIns } from './sign-in-flows.ts';
import { admitSingleSignOn, type FindPerson, resolveIdentity, stringsOf } from './single-sign-on.ts';

/** How long a request id stays answerable, and an assertion id remembered at least. */
const REQUEST_MS = SIGN_IN_FLOW_MS;

export interface SamlDeps {
  config: SamlConfig;
  /** The IdP's signing certificate, PEM (read from the file idpCert names, when it is a path). */
  idpCert?: string;
  find: FindPerson;
  extraRoles?: (personId: string) => Role[];
  guard: SignInGuard;
  /** Where assertion ids are kept once used. */
  used: Pick<SessionStore, 'useOnce'>;
  /** Where the ids of our AuthnRequests are kept until a Response answers them. */
  flows: SignInFlows;
  audit: AuditLog;
  now: () => Date;
}

export function samlRoutes(app: FastifyInstance, deps: SamlDeps): void {
  const cfg = deps.config;
  const saml =
    cfg.enabled && deps.idpCert
      ? new SAML({
          callbackUrl: cfg.acsUrl!,
          entryPoint: cfg.idpSsoUrl!,
          issuer: cfg.entityId!,
          audience: cfg.entityId!,
          idpIssuer: cfg.idpEntityId!,
          idpCert: deps.idpCert,
          wantAssertionsSigned: true,
          wantAuthnResponseSigned: false,
          acceptedClockSkewMs: cfg.clockToleranceSeconds * 1000,
          validateInResponseTo: cfg.allowIdpInitiated
            ? ValidateInResponseTo.ifPresent
            : ValidateInResponseTo.always,
          requestIdExpirationPeriodMs: REQUEST_MS,
          cacheProvider: samlRequestIds(deps.flows, deps.now),
          identifierFormat: null,
          disableRequestedAuthnContext: true,
        })
      : undefined;

  app.get(
    '/api/sign-in/saml',
    {
      config: { access: 'public' },
      schema: { summary: "Sign in through the hospital's SAML identity provider (302)", tags: ['sign-in'] },
    },
    async (_req, reply) => {
      if (!saml) return off(reply);
      let url: string;
      try {
        url = await saml.getAuthorizeUrlAsync('', undefined, {});
      } catch (err) {
        if (err instanceof TooManySignIns) return tooManySignIns(reply);
        throw err;
      }
      return reply.redirect(url, 302);
    },
  );

  app.get(
    '/api/sign-in/saml/metadata',
    {
      config: { access: 'public' },
      schema: {
        summary: 'SAML service provider metadata (XML) for the IdP administrator',
        tags: ['sign-in'],
      },
    },
    async (_req, reply) => {
      if (!saml) return off(reply);
      return reply
        .type('application/samlmetadata+xml')
        .send(saml.generateServiceProviderMetadata(null, null));
    },
  );

  // The IdP posts a form: read it here, without adding a form parser to every other route.
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.post(
      '/api/sign-in/saml/acs',
      {
        config: { access: 'public' },
        schema: {
          summary: "The IdP's SAML Response (HTTP-POST): 303 to the page signed in, or 401 saying why not",
          tags: ['sign-in'],
        },
      },
      async (req, reply) => {
        if (!saml) return off(reply);
        return consume(req, reply, saml);
      },
    );
  });

  async function consume(req: FastifyRequest, reply: FastifyReply, sp: SAML) {
    const callback = admitSingleSignOn(req, reply, {
      method: 'saml',
      protocol: 'SAML',
      guard: deps.guard,
      audit: deps.audit,
      now: deps.now,
      sessions: app.sessions,
      afterSignIn: cfg.afterSignIn,
    });
    if (!callback) return reply;
    const { refuse } = callback;
    const form = (req.body ?? {}) as Record<string, string>;
    if (typeof form.SAMLResponse !== 'string') return refuse('no SAMLResponse in the form');
    let profile: Profile | null;
    try {
      ({ profile } = await sp.validatePostResponseAsync({
        SAMLResponse: form.SAMLResponse,
        RelayState: form.RelayState ?? '',
      }));
    } catch (err) {
      return refuse(plainWords(err));
    }
    if (!profile) return refuse('the response signs nobody in');
    const xml = profile.getAssertionXml?.() ?? '';
    const response = profile.getSamlResponseXml?.() ?? '';
    const recipient = attribute(xml, 'SubjectConfirmationData', 'Recipient');
    if (recipient !== cfg.acsUrl)
      return refuse(
        `the assertion is for the recipient ${recipient ?? '(none)'}, not this service (${cfg.acsUrl})`,
      );
    const destination = attribute(response, 'Response', 'Destination');
    if (destination && destination !== cfg.acsUrl)
      return refuse(`the response is for the destination ${destination}, not this service`);
    const assertionId = attribute(xml, 'Assertion', 'ID');
    if (!assertionId) return refuse('the assertion has no ID');
    const notOnOrAfter =
      attribute(xml, 'SubjectConfirmationData', 'NotOnOrAfter') ??
      attribute(xml, 'Conditions', 'NotOnOrAfter');
    const now = deps.now();
    const keepUntil = new Date(
      Math.max(
        now.getTime() + REQUEST_MS,
        notOnOrAfter ? Date.parse(notOnOrAfter) + cfg.clockToleranceSeconds * 1000 : 0,
      ),
    );
    if (!(await deps.used.useOnce(`saml:${cfg.idpEntityId}:${assertionId}`, keepUntil, now)))
      return refuse(`the assertion ${assertionId} was already used (a replay)`);

    const attrs = (profile.attributes ?? {}) as Record<string, unknown>;
    const valuesOf = (name: string) => stringsOf(attrs[name] ?? profile[name]);
    const resolved = resolveIdentity(
      {
        subject: `saml:${profile.nameID}`,
        username: profile.nameID,
        candidates: [
          ...cfg.match.flatMap((m) => valuesOf(m.attribute).map((value) => ({ id: m.id, value }))),
          { id: cfg.nameIdAs, value: profile.nameID },
        ],
        groups: valuesOf(cfg.rolesAttribute),
      },
      cfg,
      deps.find,
      deps.extraRoles,
    );
    if (!resolved.ok) return refuse(resolved.reason);
    return callback.signIn(resolved, `assertion ${assertionId}`);
  }
}

/** An attribute of the first element with this local name (any namespace prefix). */
function attribute(xml: string, element: string, name: string): string | undefined {
  const tag = new RegExp(`<(?:[\\w-]+:)?${element}\\b[^>]*>`).exec(xml)?.[0];
  if (!tag) return undefined;
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

/** node-saml's messages, made plain where they are terse. */
function plainWords(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/Invalid signature|No valid assertion|signature/i.test(message))
    return `the assertion is not signed by the identity provider's certificate (${message})`;
  if (/InResponseTo/i.test(message))
    return `the response answers no sign-in started here (IdP-initiated sign-in is off, or the request expired): ${message}`;
  if (/NotOnOrAfter|expired|NotBefore|subject confirmation/i.test(message))
    return `the assertion is expired or not yet valid (no subject confirmation in force now): ${message}`;
  if (/audience/i.test(message)) return `the assertion is for another service: ${message}`;
  return message;
}

function off(reply: FastifyReply) {
  return sendProblem(reply, 404, 'singleSignOnOff', 'SAML sign-in is not configured here');
}
