/**
 * Sessions as people see them: `POST /api/sign-out` ends the caller's own session; admins list a person's
 * sessions and end them all (`DELETE /api/people/:id/sessions`), which also closes that person's open
 * clinician pages at once. Every revocation is audited under the admin's name.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../store/port.ts';
import type { SessionRecord } from '../store/session-port.ts';

export function sessionRoutes(
  app: FastifyInstance,
  deps: { audit: AuditLog; now: () => Date; options: () => { local: boolean; oidc: boolean; saml: boolean } },
): void {
  app.get(
    '/api/sign-in/options',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Which ways of signing in this site offers: local passwords, OpenID Connect, SAML',
        tags: ['sign-in'],
      },
    },
    async () => deps.options(),
  );

  app.post(
    '/api/sign-out',
    {
      config: { access: 'signed-in' },
      schema: {
        summary: "End the caller's session (an API token has none, and stays valid)",
        tags: ['sign-in'],
      },
    },
    async (req) => {
      const id = req.user?.sessionId;
      const signedOut = id ? await app.sessions.signOut(id) : false;
      return { signedOut };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { ended?: boolean } }>(
    '/api/people/:id/sessions',
    {
      config: { access: ['admin'] },
      schema: {
        summary: "A person's sessions, newest first (live ones; with ?ended=true the last 100 of any)",
        tags: ['sign-in'],
        params: PARAMS,
        querystring: {
          type: 'object',
          properties: { ended: { type: 'boolean', description: 'include ended sessions' } },
        },
      },
    },
    async (req) => ({
      items: (await app.sessions.listOf(req.params.id, req.query.ended === true)).map(view),
    }),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/people/:id/sessions',
    {
      config: { access: ['admin'] },
      schema: {
        summary: 'End every live session of a person and close their open pages (audited)',
        tags: ['sign-in'],
        params: PARAMS,
      },
    },
    async (req) => {
      const ended = await app.sessions.endPerson(req.params.id, 'revoked');
      await deps.audit.record({
        at: deps.now(),
        actor: req.user?.username ?? 'unknown',
        action: 'session.revoke',
        subject: `person:${req.params.id}`,
        detail: `ended ${ended.length} session(s)`,
      });
      return { ended: ended.length };
    },
  );
}

const PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'the directory person id' } },
};

function view(s: SessionRecord) {
  return {
    id: s.id,
    username: s.username,
    personId: s.personId,
    roles: s.roles,
    method: s.method,
    device: s.device,
    address: s.address,
    createdAt: s.createdAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    idleExpiresAt: s.idleExpiresAt.toISOString(),
    absoluteExpiresAt: s.absoluteExpiresAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
    endReason: s.endReason,
  };
}
