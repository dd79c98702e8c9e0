import type { FastifyInstance } from 'fastify';
import type { DryRunResult } from '../routing/dry-run.ts';
import type { RuleFileText } from '../routing/rules/workbench.ts';
import { STAFF } from './access.ts';
import { type FieldProblem, sendInvalidRequest, sendProblem } from './problem.ts';
import { DRAFT_FILES } from './rule-workbench.ts';
import { dateTime, problem } from './schemas.ts';

/** Media types an analyst may paste a raw HL7 message as. */
const HL7_TEXT = ['text/plain', 'application/hl7-v2', 'x-application/hl7-v2+er7'];

const rawMessage = {
  schema: { type: 'string', minLength: 1, description: 'the raw HL7 message (LF line ends are taken as CR)' },
};

const DRY_RUN_SCHEMA = {
  summary: 'What the rules in force would do with a message, sending nothing',
  tags: ['rules'],
  body: {
    content: {
      'application/json': {
        schema: {
          type: 'object',
          properties: {
            message: { type: 'string', minLength: 1, description: 'the raw HL7 message' },
            messageId: { type: 'integer', minimum: 1, description: 'or a stored message, by id' },
            draft: {
              ...DRAFT_FILES,
              description: 'run against these edited rule files instead of the rules in force',
            },
            listener: { type: 'string', description: 'the listener it arrives on (rules may name one)' },
            at: dateTime('when it arrives (rule windows and schedules are read at this instant)'),
          },
        },
      },
      ...Object.fromEntries(HL7_TEXT.map((type) => [type, rawMessage])),
    },
  },
};

const RELOAD_SCHEMA = {
  summary: 'Read the rules folder again; refused rules leave the running rules in force',
  tags: ['rules'],
  response: { 422: problem('Rules refused: `errors` lists every problem with its file and line') },
};

/** Rules for analysts: what is loaded, reload, and the dry run. */
export function ruleRoutes(
  app: FastifyInstance,
  deps: {
    summary: () => unknown;
    reload: () => Promise<{ ok: boolean; problems: unknown[] }>;
    dryRun: (raw: string | Buffer, listener?: string, at?: Date) => Promise<DryRunResult>;
    /** The same against a draft of the rule files; the draft's problems when it does not load. */
    dryRunDraft?: (
      raw: string | Buffer,
      draft: RuleFileText[],
      listener?: string,
      at?: Date,
    ) => Promise<DryRunResult | { problems: FieldProblem[] }>;
    /** A stored message's bytes and listener (audited by the caller as a view). */
    stored?: (id: number, actor: string) => Promise<{ raw: Buffer; listener: string } | undefined>;
  },
): void {
  app.addContentTypeParser(HL7_TEXT, { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get(
    '/api/rules',
    {
      config: { access: STAFF },
      schema: { summary: 'The rules and escalation policies in force, with their version', tags: ['rules'] },
    },
    async () => deps.summary(),
  );

  app.post('/api/rules/reload', { config: { access: STAFF }, schema: RELOAD_SCHEMA }, async (_req, reply) => {
    const result = await deps.reload();
    if (!result.ok)
      return sendProblem(
        reply,
        422,
        'rulesRefused',
        'Rules refused; the running rules stay',
        undefined,
        result.problems as FieldProblem[],
      );
    return result;
  });

  app.post<{
    Body:
      | string
      | { message?: string; messageId?: number; draft?: RuleFileText[]; listener?: string; at?: string }
      | undefined;
  }>('/api/rules/dry-run', { config: { access: STAFF }, schema: DRY_RUN_SCHEMA }, async (req, reply) => {
    const body = req.body;
    // A request without a body has no media type, so no schema of `content` looked at it.
    const fields = typeof body === 'string' ? { message: body } : (body ?? {});
    if (fields.message === undefined && fields.messageId === undefined)
      return sendInvalidRequest(reply, [
        {
          key: 'body',
          message:
            'is required: the raw HL7 message as text/plain, or JSON {"message": "..."} or {"messageId": n}',
        },
      ]);
    const at = fields.at === undefined ? undefined : new Date(fields.at);
    let raw: string | Buffer;
    let listener = fields.listener;
    // Analysts paste messages with LF line ends; HL7 wants CR.
    if (fields.message !== undefined) raw = fields.message.replace(/\r?\n/g, '\r');
    else {
      const stored = await deps.stored?.(fields.messageId as number, req.user?.username ?? 'unknown');
      if (!stored)
        return sendProblem(
          reply,
          404,
          'notFound',
          'Message not found',
          `no stored message has id ${fields.messageId}`,
        );
      raw = stored.raw;
      listener ??= stored.listener;
    }
    if (fields.draft && deps.dryRunDraft) {
      const result = await deps.dryRunDraft(raw, fields.draft, listener, at);
      if ('problems' in result)
        return sendProblem(reply, 422, 'rulesRefused', 'The draft has problems', undefined, result.problems);
      return result;
    }
    return deps.dryRun(raw, listener, at);
  });
}
