/**
 * JSON Schema pieces the routes share. A route's schema is the one place that says what it accepts: fastify
 * checks requests against it (ajv, coercing query strings and path params to numbers), the validation
 * answer lists what it refuses (./request-errors.ts), and the OpenAPI document is built from it
 * (./openapi.ts). Keep them plain JSON Schema (draft-07, with OpenAPI 3.0's `nullable`).
 */

/** The problem JSON of ./problem.ts, shared by every error response (`$ref: 'Problem#'`). */
export const PROBLEM_SCHEMA = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details; `type` is stable (docs/api-errors.md)',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'message'],
        properties: {
          key: { type: 'string' },
          message: { type: 'string' },
          file: { type: 'string' },
          line: { type: 'integer' },
        },
        additionalProperties: true,
      },
    },
  },
  additionalProperties: true,
} as const;

/** An error response of a route, for its OpenAPI entry: `response: { 404: problem('No such alert') }`. */
export const problem = (description: string) => ({ description, $ref: 'Problem#' }) as const;

/** An instant with its zone (RFC 3339), as every time in the API is written. */
export const dateTime = (description: string) =>
  ({ type: 'string', format: 'date-time', description }) as const;

/** How many items a list answers at most. */
export const listLimit = (defaultLimit: number, max = 1000) =>
  ({
    type: 'integer',
    minimum: 1,
    maximum: max,
    default: defaultLimit,
    description: `how many items at most (${defaultLimit} when not given)`,
  }) as const;

/** `:id` of a stored record (alert, message): a positive whole number. */
export const idParams = (what: string) =>
  ({
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'integer', minimum: 1, description: `the ${what}'s id` } },
  }) as const;

/** A JSON object body that may also be left out entirely (answering an alert needs no body). */
export const optionalObject = <P extends Record<string, unknown>>(properties: P) =>
  ({ type: 'object', nullable: true, properties }) as const;
