import type { FastifyInstance } from 'fastify';
import type { CensusImportStatus } from '../census/flat-files.ts';
import { sendProblem } from './problem.ts';
import { problem } from './schemas.ts';

const STAFF = { access: ['analyst', 'admin'] as ['analyst', 'admin'] };

/**
 * `GET /api/census-imports`: each census or staff assignment import (censusImports), its last run, last
 * success, last error, counts, and the staff rows that named nobody; `POST /api/census-imports/:id/run`
 * takes the next file (or pulls) now.
 */
export function censusImportRoutes(
  app: FastifyInstance,
  imports: { status(): CensusImportStatus[]; runNow(id: string): Promise<void> },
): void {
  app.get(
    '/api/census-imports',
    {
      config: STAFF,
      schema: {
        summary: 'Census and staff assignment imports: last run, errors, unmatched staff',
        tags: ['patients'],
      },
    },
    async () => ({ items: imports.status() }),
  );
  app.post<{ Params: { id: string } }>(
    '/api/census-imports/:id/run',
    {
      config: STAFF,
      schema: {
        summary: 'Run one census or staff import now',
        tags: ['patients'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } },
        response: { 404: problem('No import with that id') },
      },
    },
    async (req, reply) => {
      if (!imports.status().some((s) => s.id === req.params.id))
        return sendProblem(reply, 404, 'notFound', 'Import not found', `no census import ${req.params.id}`);
      await imports.runNow(req.params.id);
      return imports.status().find((s) => s.id === req.params.id);
    },
  );
}
