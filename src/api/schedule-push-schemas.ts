/**
 * The push API's request and answer schemas: fastify checks every call against them (listing each bad
 * field), and the OpenAPI document a vendor reads is built from them.
 */
import { dateTime, problem } from './schemas.ts';

/** Most shifts in one call: a year of a large department's schedule, well inside the 2 MB body limit. */
export const MAX_SHIFTS = 5000;

const stringMap = (description: string) =>
  ({
    type: 'object',
    minProperties: 1,
    maxProperties: 20,
    additionalProperties: { type: 'string', maxLength: 200 },
    description,
  }) as const;

export const SHIFT = {
  type: 'object',
  required: ['id', 'staff', 'task', 'start', 'end'],
  additionalProperties: false,
  properties: {
    id: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: "the scheduling system's own id of the shift",
    },
    staff: stringMap('the person, by your own fields, e.g. {"employeeId": "E1001", "npi": "1234567893"}'),
    task: stringMap('what the shift is worked for, by your own fields, e.g. {"taskId": "ANES-OB"}'),
    start: dateTime('start, inclusive'),
    end: dateTime('end, exclusive; after start'),
    notes: { type: 'string', maxLength: 2000 },
    published: { type: 'boolean', default: true, description: 'false for a draft: stored, never paged from' },
  },
} as const;

export const SOURCE_PARAMS = {
  type: 'object',
  required: ['source'],
  properties: { source: { type: 'string', minLength: 1, maxLength: 100, description: 'the push source id' } },
} as const;

export const OUTCOME = {
  description: 'Applied (or unchanged): what the sync engine did',
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['applied', 'unchanged', 'held'] },
    message: { type: 'string' },
    counts: { type: 'object', additionalProperties: { type: 'integer' } },
    unmapped: {
      type: 'array',
      description: 'rows not applied because their staff or task maps to nobody, or to two people',
      items: { type: 'object', additionalProperties: true },
    },
  },
} as const;

export const REFUSALS = {
  202: { ...OUTCOME, description: 'Held for review: it would remove too much of the next 48 hours' },
  401: problem('No valid access token (`WWW-Authenticate: Bearer error="invalid_token"`)'),
  403: problem('The token lacks `schedules:write:<source>` (`error="insufficient_scope"`)'),
  404: problem('No push source of this id'),
  422: problem('The engine refused the push (see detail); nothing was applied'),
};

export const pushRoute = (summary: string, description: string) => ({
  summary,
  description,
  tags: ['schedule push'],
  params: SOURCE_PARAMS,
  security: [{ pushClient: [] }],
});

export interface ShiftBody {
  id: string;
  staff: Record<string, string>;
  task: Record<string, string>;
  start: string;
  end: string;
  notes?: string;
  published?: boolean;
}
