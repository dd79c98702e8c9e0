/**
 * How the API answers what goes wrong outside a handler's own checks: a request its route schema refuses
 * (400 `invalid-request` listing every bad field), a body that cannot be read (malformed JSON, too large,
 * a media type no route takes), a path no route has, and an internal error (500, logged, no detail out).
 * Every answer is problem JSON of a stable type (./problem.ts); nothing internal (a stack, a schema path,
 * fastify's names for the request's parts) reaches the client.
 */
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import { type FieldProblem, type ProblemKind, sendInvalidRequest, sendProblem } from './problem.ts';

/** Fastify's error codes for a request it could not read, by the kind of answer each gets. */
const UNREADABLE: Record<string, ProblemKind> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupportedMediaType',
  FST_ERR_CTP_BODY_TOO_LARGE: 'bodyTooLarge',
};

/** Fastify's names for the parts of a request, as a client would name the whole part. */
const PART: Record<string, string> = {
  querystring: 'query',
  params: 'path',
  body: 'body',
  headers: 'headers',
};

export function registerRequestErrors(app: FastifyInstance): void {
  // A form leaves a field it did not fill as `?since=`: that means "not given", not "a bad time".
  app.addHook('preValidation', async (req) => {
    const query = req.query as Record<string, unknown> | undefined;
    if (!req.routeOptions.schema?.querystring || !query || typeof query !== 'object') return;
    for (const [key, value] of Object.entries(query)) if (value === '') delete query[key];
  });

  app.setErrorHandler((err: FastifyError, req, reply) => answerError(err, req, reply));
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, 404, 'noRoute', 'Not found', `no route for ${req.method} ${req.url.split('?')[0]}`),
  );
}

/** Also fastify's `frameworkErrors`: a URL that cannot be decoded never reaches a route. */
export function answerError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err.validation) return sendInvalidRequest(reply, fieldProblems(err.validation, err.validationContext));
  const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
  if (status >= 500) {
    req.log.error({ err }, 'request failed');
    return sendProblem(reply, 500, 'internalError', 'Internal error');
  }
  const kind = UNREADABLE[err.code] ?? 'malformedRequest';
  return sendProblem(reply, status, kind, 'Request not readable', err.message);
}

/** Every bad field of one request part, named as the client sent it (`limit`, `choice`, `at`). */
export function fieldProblems(errors: FastifySchemaValidationError[], part = 'body'): FieldProblem[] {
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const params = e.params as Record<string, unknown>;
    let path = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let message = plainMessage(e);
    if (e.keyword === 'required') {
      path = [...path, String(params.missingProperty)];
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path = [...path, String(params.additionalProperty)];
      message = 'is not accepted here';
    }
    const key = path.length ? path.join('.') : (PART[part] ?? part);
    const id = `${key}\0${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ key, message });
  }
  return out;
}

/** Ajv's message in plain words where it speaks of schemas ("must match format", "must be >= 1"). */
function plainMessage(e: FastifySchemaValidationError): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'format':
      return params.format === 'date-time'
        ? 'must be a date-time with its zone, such as 2026-11-22T14:30:00Z'
        : `must be a ${String(params.format)}`;
    case 'type':
      return params.type === 'integer' ? 'must be a whole number' : `must be ${String(params.type)}`;
    case 'minimum':
      return `must be at least ${String(params.limit)}`;
    case 'maximum':
      return `must be at most ${String(params.limit)}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters`;
    default:
      return e.message ?? 'is not valid';
  }
}
