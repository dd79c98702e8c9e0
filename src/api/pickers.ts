import type { FastifyInstance } from 'fastify';
import type { Group, Person } from '../directory/types.ts';
import type { PatientAtLocation } from '../store/census-port.ts';
import type { AuditLog } from '../store/port.ts';
import type { Assignment } from '../store/schedule-port.ts';

/** Matches for one keystroke are few: a picker shows a handful, and the rest narrows as one types. */
const MAX_EACH = 10;

const QUERY = {
  type: 'object',
  required: ['q'],
  properties: { q: { type: 'string', minLength: 1, maxLength: 100, description: 'what was typed so far' } },
};

export interface PickerDeps {
  people: () => readonly Person[];
  groups: () => readonly Group[];
  assignments: () => Promise<Assignment[]>;
  /** Who is on call for an assignment now, by call order (names from the directory). */
  onCallNow: (assignmentId: string) => Promise<Array<{ personId: string; name: string; callOrder: number }>>;
  findPatients: (text: string, limit: number) => Promise<PatientAtLocation[]>;
  audit: AuditLog;
  now: () => Date;
}

const matches = (text: string, ...fields: Array<string | undefined>) =>
  fields.some((f) => f?.toLowerCase().includes(text));

/**
 * The composer's pickers: `GET /api/recipients?q=` answers people, assignments (with who is on call now:
 * "who is on call for cardiology" answers as one types) and groups; `GET /api/patients?q=` answers
 * in-house patients from the census, so a patient is picked, never typed. Patient searches are audited.
 */
export function pickerRoutes(app: FastifyInstance, deps: PickerDeps): void {
  app.get<{ Querystring: { q: string } }>(
    '/api/recipients',
    {
      config: { access: 'signed-in' },
      schema: {
        summary: 'People, assignments (with who is on call now) and groups matching what was typed',
        tags: ['messaging'],
        querystring: QUERY,
      },
    },
    async (req) => {
      const text = req.query.q.trim().toLowerCase();
      const people = deps
        .people()
        .filter((p) => matches(text, p.name, p.id, p.title, p.department))
        .slice(0, MAX_EACH)
        .map((p) => ({
          id: p.id,
          name: p.name,
          title: p.title ?? null,
          department: p.department ?? null,
          placeholder: p.placeholder,
        }));
      const assignments = [];
      for (const a of await deps.assignments()) {
        if (assignments.length >= MAX_EACH) break;
        if (!matches(text, a.name, a.id, a.department)) continue;
        assignments.push({
          id: a.id,
          name: a.name,
          department: a.department,
          onCallNow: await deps.onCallNow(a.id),
        });
      }
      const groups = deps
        .groups()
        .filter((g) => matches(text, g.name, g.id))
        .slice(0, MAX_EACH)
        .map((g) => ({ id: g.id, name: g.name, members: g.members.length }));
      return { people, assignments, groups };
    },
  );

  app.get<{ Querystring: { q: string } }>(
    '/api/patients',
    {
      config: { access: 'signed-in' },
      schema: {
        summary: 'In-house patients whose MRN starts with, or name contains, what was typed (audited)',
        tags: ['patients'],
        querystring: QUERY,
      },
    },
    async (req) => {
      await deps.audit.record({
        at: deps.now(),
        actor: req.user?.username ?? 'unknown',
        action: 'patient.search',
        subject: 'census',
        detail: `${req.query.q.length} characters`,
      });
      const found = await deps.findPatients(req.query.q.trim(), MAX_EACH);
      return {
        patients: found.map(({ patient, visit }) => ({
          mrn: patient.mrn,
          name: [patient.family, patient.given].filter(Boolean).join(', '),
          birthDate: patient.birthDate || null,
          where: [visit.location.unit, [visit.location.room, visit.location.bed].filter(Boolean).join('-')]
            .filter(Boolean)
            .join(' '),
        })),
      };
    },
  );
}
