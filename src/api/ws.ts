import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { ClinicianHub } from '../delivery/app/hub.ts';

/** `GET /api/ws?token=`: the clinician WebSocket (docs/websocket.md). The auth hook has already run. */
export async function clinicianSocket(
  app: FastifyInstance,
  hub: ClinicianHub,
  nameOf: (id: string) => string | undefined,
) {
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  app.get('/api/ws', { websocket: true }, (socket, req) => {
    const personId = req.user?.personId;
    if (!personId) {
      socket.close(4403, 'this account is not linked to a person');
      return;
    }
    hub.attach(socket, { id: personId, name: nameOf(personId) ?? personId });
  });
}
