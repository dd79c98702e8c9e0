import type { FastifyInstance } from 'fastify';
import { type DeepLinkSettings, deepLinks, type LinkValues } from '../routing/ehr/deep-links.ts';
import type { AuditLog } from '../store/port.ts';
import { sendProblem } from './problem.ts';
import { problem } from './schemas.ts';

/**
 * `GET /api/patients/:mrn/ehr-links`: the "open in EHR" actions for a patient, filled for the person asking
 * (their EHR user name from the crosswalk). Each link names its platforms; the page shows those for its
 * own. Audited: the answer carries the patient's enterprise id.
 */
export function ehrLinkRoutes(
  app: FastifyInstance,
  deps: {
    settings: () => DeepLinkSettings;
    /** The patient's identifiers and current encounter, from the census. */
    patient: (mrn: string) => Promise<Omit<LinkValues, 'ehrUser'> | undefined>;
    ehrUserOf: (personId: string) => string | undefined;
    audit: AuditLog;
    now: () => Date;
  },
): void {
  app.get<{ Params: { mrn: string } }>(
    '/api/patients/:mrn/ehr-links',
    {
      config: { access: 'signed-in' },
      schema: {
        summary:
          "Open-in-EHR links for a patient, filled with the enterprise id and the caller's EHR user (audited)",
        tags: ['patients'],
        params: {
          type: 'object',
          required: ['mrn'],
          properties: { mrn: { type: 'string', minLength: 1, description: 'medical record number' } },
        },
        response: { 404: problem('No patient with that MRN in the census') },
      },
    },
    async (req, reply) => {
      const { mrn } = req.params;
      await deps.audit.record({
        at: deps.now(),
        actor: req.user?.username ?? 'unknown',
        action: 'patient.ehr-links',
        subject: `patient:${mrn}`,
      });
      const values = await deps.patient(mrn);
      if (!values)
        return sendProblem(
          reply,
          404,
          'notFound',
          'Patient not found',
          'no patient with that MRN in the census',
        );
      const ehrUser = req.user?.personId ? deps.ehrUserOf(req.user.personId) : undefined;
      return { links: deepLinks(deps.settings(), { ...values, ehrUser }) };
    },
  );
}
