import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { ClinicianHub } from '../delivery/app/hub.ts';

/** How often an open socket's session is looked at again: it ended elsewhere, or timed out. */
const RECHECK_MS = 15_000;

/**
 * `GET /api/ws?token=`: the clinician WebSocket (docs/websocket.md). The token is checked here, after the
 * upgrade: 4401 for a missing, forged, expired or ended session, 4403 for an account that is not a person.
 * A socket is closed with 4401 the moment its session ends here (sign-out, an admin's revocation, a SCIM
 * deactivation); a session ended by another instance or timed out is seen at the next recheck. An open
 * socket counts as use of its session: a phone waiting for alerts is not signed out for being quiet.
 */
export async function clinicianSocket(
  app: FastifyInstance,
  hub: ClinicianHub,
  nameOf: (id: string) => string | undefined,
) {
  const open = new Map<string, Set<{ close(code: number, reason: string): void }>>();
  app.sessions.onEnded((ended) => {
    for (const s of ended) {
      for (const socket of open.get(s.id) ?? []) socket.close(4401, 'signed out');
      open.delete(s.id);
    }
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  app.get<{ Querystring: { token?: string } }>(
    '/api/ws',
    { websocket: true, config: { access: 'public' }, schema: SOCKET_SCHEMA },
    async (socket, req) => {
      // Frames the page sends at once ('hello') must not be lost while the session is looked up.
      const early: unknown[][] = [];
      const hold = (...args: unknown[]) => early.push(args);
      socket.on('message', hold);
      const token = req.query.token;
      const user = token ? await app.verifyToken(token) : null;
      socket.off('message', hold);
      if (!user) {
        socket.close(4401, 'sign in again');
        return;
      }
      const personId = user.personId;
      if (!personId) {
        socket.close(4403, 'this account is not linked to a person');
        return;
      }
      const sessionId = user.sessionId;
      if (sessionId && token) {
        const held = open.get(sessionId) ?? new Set();
        held.add(socket);
        open.set(sessionId, held);
        const recheck = setInterval(() => {
          void app.verifyToken(token).then(
            (still) => {
              if (!still) socket.close(4401, 'signed out');
            },
            (err) => req.log.warn({ err }, 'session recheck failed'),
          );
        }, RECHECK_MS);
        recheck.unref();
        socket.on('close', () => {
          clearInterval(recheck);
          held.delete(socket);
          if (!held.size) open.delete(sessionId);
        });
      }
      hub.attach(socket, { id: personId, name: nameOf(personId) ?? personId });
      for (const args of early) socket.emit('message', ...args);
    },
  );
}

const SOCKET_SCHEMA = {
  summary:
    'The live alert WebSocket (docs/websocket.md); closes 4401 without a live session or when it ends, 4403 for a non-person',
  tags: ['alerts'],
  querystring: {
    type: 'object',
    properties: {
      token: {
        type: 'string',
        description: 'the session token (a browser cannot set headers on a WebSocket)',
      },
    },
  },
  response: { 101: { description: 'Switching to the WebSocket protocol', type: 'null' } },
};
