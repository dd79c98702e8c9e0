import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../store/port.ts';
import { sendProblem } from './problem.ts';

/** `GET /api/patients/:mrn/care-team`: the patient, where they are, and who cares for them. Audited. */
export function patientRoutes(
  app: FastifyInstance,
  deps: {
    audit: AuditLog;
    lookup: (mrn: string) => Promise<{ patient: unknown; visit: unknown; careTeam: unknown[] } | undefined>;
  },
): void {
  app.get('/api/patients/:mrn/care-team', { config: { access: 'signed-in' } }, async (req, reply) => {
    const { mrn } = req.params as { mrn: string };
    const found = await deps.lookup(mrn);
    await deps.audit.record({
      at: new Date(),
      actor: req.user?.username ?? 'unknown',
      action: 'patient.care-team',
      subject: `patient:${mrn}`,
    });
    if (!found) return sendProblem(reply, 404, 'Patient not found', 'no patient with that MRN in the census');
    return found;
  });
}
