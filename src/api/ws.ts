import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { ClinicianHub } from '../delivery/app/hub.ts';

/**
 * `GET /api/ws?token=`: the clinician WebSocket (docs/websocket.md). The token is checked here, after the
 * upgrade: 4401 for a missing, forged or expired token, 4403 for an account that is not a person.
 */
export async function clinicianSocket(
  app: FastifyInstance,
  hub: ClinicianHub,
  nameOf: (id: string) => string | undefined,
) {
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  app.get<{ Querystring: { token?: string } }>(
    '/api/ws',
    { websocket: true, config: { access: 'public' }, schema: SOCKET_SCHEMA },
    (socket, req) => {
      const token = req.query.token;
      const user = token ? app.verifyToken(token) : null;
      if (!user) {
        socket.close(4401, 'sign in again');
        return;
      }
      const personId = user.personId;
      if (!personId) {
        socket.close(4403, 'this account is not linked to a person');
        return;
      }
      hub.attach(socket, { id: personId, name: nameOf(personId) ?? personId });
    },
  );
}

const SOCKET_SCHEMA = {
  summary:
    'The live alert WebSocket (docs/websocket.md); closes 4401 without a valid token, 4403 for a non-person',
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
