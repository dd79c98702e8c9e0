import type { FastifyInstance } from 'fastify';
import type { DryRunResult } from '../routing/dry-run.ts';
import { STAFF } from './access.ts';
import { sendProblem } from './problem.ts';

/** Rules for analysts: what is loaded, reload, and the dry run. */
export function ruleRoutes(
  app: FastifyInstance,
  deps: {
    summary: () => unknown;
    reload: () => Promise<{ ok: boolean; problems: unknown[] }>;
    dryRun: (raw: string, listener?: string, at?: Date) => Promise<DryRunResult>;
  },
): void {
  app.addContentTypeParser(
    ['text/plain', 'application/hl7-v2', 'x-application/hl7-v2+er7'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );

  app.get('/api/rules', { config: { access: STAFF } }, async (_req, _reply) => {
    return deps.summary();
  });

  app.post('/api/rules/reload', { config: { access: STAFF } }, async (_req, reply) => {
    const result = await deps.reload();
    if (!result.ok)
      return sendProblem(reply, 422, 'Rules refused; the running rules stay', undefined, {
        errors: result.problems as never,
      });
    return result;
  });

  app.post('/api/rules/dry-run', { config: { access: STAFF } }, async (req, reply) => {
    const body = req.body as string | { message?: unknown; listener?: unknown; at?: unknown } | undefined;
    const raw =
      typeof body === 'string' ? body : typeof body?.message === 'string' ? body.message : undefined;
    if (!raw)
      return sendProblem(
        reply,
        400,
        'No message',
        'send the raw HL7 message as text/plain, or JSON {"message": "..."}',
      );
    const at = typeof body === 'object' && typeof body.at === 'string' ? new Date(body.at) : undefined;
    if (at && Number.isNaN(at.getTime()))
      return sendProblem(reply, 400, 'Invalid time', 'at must be an ISO 8601 date-time');
    const listener =
      typeof body === 'object' && typeof body.listener === 'string' ? body.listener : undefined;
    // Analysts paste messages with LF line ends; HL7 wants CR.
    return deps.dryRun(raw.replace(/\r?\n/g, '\r'), listener, at);
  });
}
