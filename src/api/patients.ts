import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../store/port.ts';
import { sendProblem } from './problem.ts';
import { problem } from './schemas.ts';

const CARE_TEAM_SCHEMA = {
  summary: 'The patient, where they are, and who cares for them (audited)',
  tags: ['patients'],
  params: {
    type: 'object',
    required: ['mrn'],
    properties: { mrn: { type: 'string', minLength: 1, description: 'medical record number' } },
  },
  response: { 404: problem('No patient with that MRN in the census') },
};

/** `GET /api/patients/:mrn/care-team`: the patient, where they are, and who cares for them. Audited. */
export function patientRoutes(
  app: FastifyInstance,
  deps: {
    audit: AuditLog;
    lookup: (mrn: string) => Promise<{ patient: unknown; visit: unknown; careTeam: unknown[] } | undefined>;
  },
): void {
  app.get<{ Params: { mrn: string } }>(
    '/api/patients/:mrn/care-team',
    { config: { access: 'signed-in' }, schema: CARE_TEAM_SCHEMA },
    async (req, reply) => {
      const { mrn } = req.params;
      const found = await deps.lookup(mrn);
      await deps.audit.record({
        at: new Date(),
        actor: req.user?.username ?? 'unknown',
        action: 'patient.care-team',
        subject: `patient:${mrn}`,
      });
      if (!found)
        return sendProblem(
          reply,
          404,
          'notFound',
          'Patient not found',
          'no patient with that MRN in the census',
        );
      return found;
    },
  );
}
