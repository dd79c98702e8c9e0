/**
 * The clinician page opened from inside the EHR (an iframe or a web view in the EHR's activity), already
 * signed in as the EHR's user and with the EHR's current patient:
 *
 * - SMART App Launch 2, EHR launch: the EHR opens `/ehr/smart/launch?iss=…&launch=…`; we read the FHIR
 *   server's `.well-known/smart-configuration` (only for an `iss` the site allows), send the browser to its
 *   authorization endpoint (code flow, PKCE S256, `launch`, `aud`, `state`), and at `/ehr/smart/callback`
 *   trade the code for a token whose `fhirUser` names the user and `patient` the patient; the Patient
 *   resource gives the MRN.
 * - For EHRs without SMART, a launch URL signed with a shared secret: `/ehr/launch?user=&patient=&ts=&nonce=
 *   &sig=`, sig = hex HMAC-SHA256 over `user \n patient \n ts \n nonce`, valid `maxAgeSeconds`, each nonce once.
 *
 * Either way the EHR user is matched to a directory person by `ehrUser` in the crosswalk; no match gets a
 * plain page saying so, never someone else's inbox. The session is handed to the page in the URL fragment
 * (`#sso=…&patient=…`), as single sign-on does.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SessionStore } from '../store/session-port.ts';
import { holdSignIn, takeSignIn } from './sign-in-flows.ts';

export interface EhrLaunchSettings {
  /** Signs launch URLs; without it signed launches are refused. */
  sharedSecret?: string;
  maxAgeSeconds: number;
  smart?: {
    clientId: string;
    /** A confidential client's secret (HTTP Basic at the token endpoint); a public client uses PKCE alone. */
    clientSecret?: string;
    scope: string;
    /** FHIR servers (`iss`) we accept a launch from: never an address the launching page chose. */
    issuers: string[];
    /** Which Patient.identifier is the MRN: its type code (v2-0203), and its system when given. */
    mrnIdentifier: { type: string; system?: string };
  };
}

export interface EhrLaunchDeps {
  settings: () => EhrLaunchSettings;
  /** Used launch nonces, and SMART launches between the redirect and the callback (any instance's). */
  sessionStore: Pick<SessionStore, 'useOnce' | 'holdFlow' | 'takeFlow'>;
  /** The active directory person whose crosswalk `ehrUser` is this. */
  personByEhrUser: (user: string) => { id: string; name: string } | undefined;
  now: () => Date;
  /** For tests: how the FHIR and authorization servers are reached. */
  fetch?: typeof fetch;
}

/** A SMART launch in progress, kept under its state between the redirect and the callback. */
interface PendingLaunch {
  iss: string;
  tokenEndpoint: string;
  verifier: string;
  redirectUri: string;
}

export function ehrLaunchRoutes(app: FastifyInstance, deps: EhrLaunchDeps): void {
  const fetcher = deps.fetch ?? fetch;
  const open = { config: { access: 'public' as const } };

  const refuse = (reply: FastifyReply, status: number, title: string, detail: string) =>
    reply
      .code(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(page(title, detail));

  const handOver = async (
    reply: FastifyReply,
    ehrUser: string,
    patient: string | undefined,
    address: string,
  ) => {
    const person = deps.personByEhrUser(ehrUser);
    if (!person)
      return refuse(
        reply,
        403,
        'Not linked to Switchboard',
        `Your EHR account (${ehrUser}) is not linked to anyone in Switchboard's directory. Ask the Switchboard administrator to add your EHR user name to your directory entry.`,
      );
    const { token, expiresAt } = await app.sessions.begin(
      { username: ehrUser, role: 'clinician', personId: person.id },
      { method: 'ehr', address },
    );
    const session = Buffer.from(JSON.stringify({ token, expiresAt, role: 'clinician', person })).toString(
      'base64url',
    );
    const patientPart = patient ? `&patient=${encodeURIComponent(patient)}` : '';
    return reply.header('cache-control', 'no-store').redirect(`/#sso=${session}${patientPart}`, 303);
  };

  app.get<{ Querystring: Record<string, string | undefined> }>('/ehr/launch', open, async (req, reply) => {
    const s = deps.settings();
    const { user, patient = '', ts, nonce, sig } = req.query;
    if (!s.sharedSecret)
      return refuse(reply, 404, 'No EHR launch', 'This site does not accept signed EHR launches.');
    if (!user || !ts || !nonce || !sig || !/^\d+$/.test(ts) || !/^[0-9a-f]{64}$/i.test(sig))
      return refuse(
        reply,
        400,
        'Launch refused',
        'The launch link is incomplete: it needs user, ts, nonce and sig.',
      );
    const expected = createHmac('sha256', s.sharedSecret)
      .update(`${user}\n${patient}\n${ts}\n${nonce}`)
      .digest();
    if (!timingSafeEqual(expected, Buffer.from(sig, 'hex')))
      return refuse(
        reply,
        403,
        'Launch refused',
        'The launch link is not signed with this site’s shared secret.',
      );
    const now = deps.now().getTime();
    const issued = Number(ts) * 1000;
    // A minute of clock difference between the EHR and us is tolerated, in either direction.
    if (issued > now + 60_000 || now - issued > s.maxAgeSeconds * 1000)
      return refuse(
        reply,
        403,
        'Launch refused',
        'The launch link has expired. Open Switchboard from the EHR again.',
      );
    const expires = new Date(issued + s.maxAgeSeconds * 1000 + 60_000);
    if (!(await deps.sessionStore.useOnce(`ehr-launch:${nonce}`, expires, deps.now())))
      return refuse(
        reply,
        403,
        'Launch refused',
        'This launch link was already used. Open Switchboard from the EHR again.',
      );
    return handOver(reply, user, patient || undefined, req.ip);
  });

  app.get<{ Querystring: { iss?: string; launch?: string } }>(
    '/ehr/smart/launch',
    open,
    async (req, reply) => {
      const smart = deps.settings().smart;
      const { iss, launch } = req.query;
      if (!smart)
        return refuse(reply, 404, 'No SMART launch', 'This site is not set up for SMART on FHIR launches.');
      if (!iss || !launch)
        return refuse(reply, 400, 'Launch refused', 'A SMART EHR launch needs iss and launch.');
      if (!smart.issuers.some((allowed) => sameIssuer(allowed, iss)))
        return refuse(
          reply,
          403,
          'Launch refused',
          `The FHIR server ${iss} is not one this site accepts launches from.`,
        );
      let config: { authorization_endpoint?: string; token_endpoint?: string };
      try {
        const res = await fetcher(`${iss.replace(/\/$/, '')}/.well-known/smart-configuration`, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        config = (await res.json()) as typeof config;
      } catch (err) {
        return refuse(
          reply,
          502,
          'Launch failed',
          `The EHR's SMART configuration could not be read: ${(err as Error).message}`,
        );
      }
      if (!config.authorization_endpoint || !config.token_endpoint)
        return refuse(
          reply,
          502,
          'Launch failed',
          'The EHR’s SMART configuration names no authorization or token endpoint.',
        );
      const state = randomBytes(24).toString('base64url');
      const verifier = randomBytes(32).toString('base64url');
      const redirectUri = `${req.protocol}://${req.host}/ehr/smart/callback`;
      const launchUnderWay: PendingLaunch = {
        iss,
        tokenEndpoint: config.token_endpoint,
        verifier,
        redirectUri,
      };
      if (!(await holdSignIn(deps.sessionStore, 'smart', state, launchUnderWay, deps.now())))
        return refuse(reply, 503, 'Busy', 'Too many launches in progress; try again shortly.');
      const url = new URL(config.authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: smart.clientId,
        redirect_uri: redirectUri,
        launch,
        scope: smart.scope,
        state,
        aud: iss,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      return reply.header('cache-control', 'no-store').redirect(url.toString(), 302);
    },
  );

  app.get<{ Querystring: { code?: string; state?: string; error?: string; error_description?: string } }>(
    '/ehr/smart/callback',
    open,
    async (req, reply) => {
      const smart = deps.settings().smart;
      const { code, state, error } = req.query;
      const launch = state
        ? await takeSignIn<PendingLaunch>(deps.sessionStore, 'smart', state, deps.now())
        : undefined;
      if (!smart)
        return refuse(reply, 404, 'No SMART launch', 'This site is not set up for SMART on FHIR launches.');
      if (error)
        return refuse(
          reply,
          403,
          'Launch refused',
          `The EHR refused: ${req.query.error_description ?? error}`,
        );
      if (!code || !launch)
        return refuse(
          reply,
          400,
          'Launch refused',
          'This launch is unknown or has expired. Open Switchboard from the EHR again.',
        );
      let token: { access_token?: string; patient?: string; fhirUser?: string; id_token?: string };
      try {
        const headers: Record<string, string> = {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        };
        const form = new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: launch.redirectUri,
          code_verifier: launch.verifier,
        });
        if (smart.clientSecret)
          headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(smart.clientId)}:${encodeURIComponent(smart.clientSecret)}`).toString('base64')}`;
        else form.set('client_id', smart.clientId);
        const res = await fetcher(launch.tokenEndpoint, {
          method: 'POST',
          headers,
          body: form,
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`the token endpoint answered HTTP ${res.status}`);
        token = (await res.json()) as typeof token;
      } catch (err) {
        return refuse(
          reply,
          502,
          'Launch failed',
          `The EHR's token could not be obtained: ${(err as Error).message}`,
        );
      }
      const fhirUser = token.fhirUser ?? fhirUserOfIdToken(token.id_token);
      if (!token.access_token || !fhirUser)
        return refuse(
          reply,
          502,
          'Launch failed',
          'The EHR did not say who the user is (no fhirUser in the token response).',
        );
      let mrn: string | undefined;
      if (token.patient) {
        try {
          mrn = await patientMrn(fetcher, launch.iss, token.patient, token.access_token, smart.mrnIdentifier);
        } catch (err) {
          return refuse(
            reply,
            502,
            'Launch failed',
            `The EHR's patient could not be read: ${(err as Error).message}`,
          );
        }
      }
      // fhirUser is a reference such as Practitioner/4711 (or a full URL): its id is the EHR user.
      const ehrUser = fhirUser.split('/').filter(Boolean).pop() ?? fhirUser;
      return handOver(reply, ehrUser, mrn, req.ip);
    },
  );
}

function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/$/, '') === b.replace(/\/$/, '');
}

/** The fhirUser claim of an ID token's payload (not verified here: only the token endpoint's answer is). */
function fhirUserOfIdToken(idToken: string | undefined): string | undefined {
  const payload = idToken?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { fhirUser?: unknown };
    return typeof claims.fhirUser === 'string' ? claims.fhirUser : undefined;
  } catch {
    return undefined;
  }
}

interface FhirIdentifier {
  system?: string;
  value?: string;
  type?: { coding?: Array<{ code?: string }> };
}

async function patientMrn(
  fetcher: typeof fetch,
  iss: string,
  patientId: string,
  accessToken: string,
  wanted: { type: string; system?: string },
): Promise<string | undefined> {
  const res = await fetcher(`${iss.replace(/\/$/, '')}/Patient/${encodeURIComponent(patientId)}`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/fhir+json' },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`Patient/${patientId} answered HTTP ${res.status}`);
  const patient = (await res.json()) as { identifier?: FhirIdentifier[] };
  const match = (patient.identifier ?? []).find(
    (i) =>
      (!wanted.system || i.system === wanted.system) &&
      (i.type?.coding ?? []).some((c) => c.code?.toUpperCase() === wanted.type.toUpperCase()),
  );
  return match?.value;
}

function page(title: string, detail: string): string {
  const esc = (s: string) =>
    s.replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
    );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/style.css"></head>
<body><main class="sign-in"><div class="sign-in-card"><h1>${esc(title)}</h1><p>${esc(detail)}</p></div></main></body></html>`;
}
