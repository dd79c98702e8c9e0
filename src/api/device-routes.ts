/**
 * Shared devices (a unit phone, a workstation on wheels) signed in by one clinician after another, as a
 * badge tap (Imprivata-style) or an MDM check-in reports it:
 *
 *   POST   /api/devices/:device/login  { person, source? }   the device is now this person's
 *   POST   /api/devices/:device/logout                       nobody holds it
 *   GET    /api/devices/:device                              who holds it
 *
 * A hand-over ends every session on the device (the previous person's page closes with 4401, so their
 * alerts leave it at once) and starts a session for the new person on it, returned to the caller to hand
 * to the device's page (open `/#sso=<session>`, as single sign-on does). Alerts follow people, never
 * devices: the previous person, no longer connected, is escalated past like anyone not answering.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../store/port.ts';
import type { DeviceLoginStore } from '../store/session-port.ts';
import { sendProblem } from './problem.ts';
import { problem } from './schemas.ts';

export interface DeviceRoutesDeps {
  devices: DeviceLoginStore;
  /** An active directory person by id (undefined for unknown or deactivated). */
  person: (id: string) => { id: string; name: string } | undefined;
  audit: AuditLog;
  now: () => Date;
}

const PARAMS = {
  type: 'object',
  required: ['device'],
  properties: { device: { type: 'string', minLength: 1, maxLength: 200, description: "the device's id" } },
};

export function deviceRoutes(app: FastifyInstance, deps: DeviceRoutesDeps): void {
  app.post<{ Params: { device: string }; Body: { person: string; source?: string } }>(
    '/api/devices/:device/login',
    {
      config: { access: ['admin'] },
      schema: {
        summary:
          'A badge tap or MDM check-in: the device now belongs to this person (their session returned)',
        tags: ['devices'],
        params: PARAMS,
        body: {
          type: 'object',
          required: ['person'],
          properties: {
            person: { type: 'string', minLength: 1, description: 'the directory person id' },
            source: { type: 'string', maxLength: 100, description: "what reported it: 'badge', 'mdm', …" },
          },
        },
        response: { 409: problem('Unknown or deactivated person') },
      },
    },
    async (req, reply) => {
      const { device } = req.params;
      const person = deps.person(req.body.person);
      if (!person)
        return sendProblem(
          reply,
          409,
          'deviceRefused',
          'No such person',
          `${req.body.person} is not an active person of the directory`,
        );
      const source = req.body.source ?? 'api';
      const now = deps.now();
      const previous = await deps.devices.handOver({ device, personId: person.id, source, since: now });
      const ended = await app.sessions.endOnDevice(device, 'replaced');
      const { token, expiresAt } = await app.sessions.begin(
        { username: `${person.id}@${device}`, personId: person.id, role: 'clinician' },
        { method: 'device', device, address: req.ip },
      );
      await deps.audit.record({
        at: now,
        actor: req.user?.username ?? 'unknown',
        action: 'device.login',
        subject: `device:${device}`,
        detail: `${person.id} by ${source}${previous ? `, after ${previous.personId}` : ''}; ${ended.length} session(s) on it ended`,
      });
      return {
        device,
        token,
        expiresAt,
        role: 'clinician',
        person,
        previous: previous?.personId ?? null,
        endedSessions: ended.length,
      };
    },
  );

  app.post<{ Params: { device: string } }>(
    '/api/devices/:device/logout',
    {
      config: { access: ['admin'] },
      schema: { summary: 'Nobody holds the device now: its sessions end', tags: ['devices'], params: PARAMS },
    },
    async (req) => {
      const { device } = req.params;
      const held = await deps.devices.release(device);
      const ended = await app.sessions.endOnDevice(device, 'signed-out');
      await deps.audit.record({
        at: deps.now(),
        actor: req.user?.username ?? 'unknown',
        action: 'device.logout',
        subject: `device:${device}`,
        detail: `${held?.personId ?? 'nobody'}; ${ended.length} session(s) ended`,
      });
      return { device, released: held?.personId ?? null, endedSessions: ended.length };
    },
  );

  app.get<{ Params: { device: string } }>(
    '/api/devices/:device',
    {
      config: { access: ['admin'] },
      schema: { summary: 'Who holds the device now', tags: ['devices'], params: PARAMS },
    },
    async (req) => {
      const held = await deps.devices.holder(req.params.device);
      return {
        device: req.params.device,
        person: held?.personId ?? null,
        source: held?.source ?? null,
        since: held?.since.toISOString() ?? null,
      };
    },
  );
}
