import type { FastifyReply } from 'fastify';

/** One bad field of a request, named as the client sent it (`limit`, `since`, `choice`). */
export interface FieldProblem {
  key: string;
  message: string;
  file?: string;
  line?: number;
}

/** RFC 9457 problem details: every HTTP error Switchboard returns has this JSON shape. */
export interface Problem {
  type: ProblemType;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldProblem[];
}

/**
 * Stable problem `type`s that clients may branch on, one per kind of error the API answers. Each is
 * explained in docs/api-errors.md, and a test fails when one is missing there.
 */
export const PROBLEM_TYPES = {
  invalidRequest: 'urn:switchboard:invalid-request',
  malformedRequest: 'urn:switchboard:malformed-request',
  bodyTooLarge: 'urn:switchboard:body-too-large',
  unsupportedMediaType: 'urn:switchboard:unsupported-media-type',
  noRoute: 'urn:switchboard:no-route',
  notFound: 'urn:switchboard:not-found',
  signInRequired: 'urn:switchboard:sign-in-required',
  signInFailed: 'urn:switchboard:sign-in-failed',
  signInLocked: 'urn:switchboard:sign-in-locked',
  signInBusy: 'urn:switchboard:sign-in-busy',
  roleRequired: 'urn:switchboard:role-required',
  personRequired: 'urn:switchboard:person-required',
  notARecipient: 'urn:switchboard:not-a-recipient',
  alertClosed: 'urn:switchboard:alert-closed',
  nobodyToMessage: 'urn:switchboard:nobody-to-message',
  notInConversation: 'urn:switchboard:not-in-conversation',
  unknownPatient: 'urn:switchboard:unknown-patient',
  callBackRefused: 'urn:switchboard:call-back-refused',
  sipDisabled: 'urn:switchboard:sip-disabled',
  rulesRefused: 'urn:switchboard:rules-refused',
  localSignInOff: 'urn:switchboard:local-sign-in-off',
  singleSignOnFailed: 'urn:switchboard:single-sign-on-failed',
  singleSignOnOff: 'urn:switchboard:single-sign-on-off',
  deviceRefused: 'urn:switchboard:device-refused',
  tokenRequestRefused: 'urn:switchboard:token-request-refused',
  invalidToken: 'urn:switchboard:invalid-token',
  insufficientScope: 'urn:switchboard:insufficient-scope',
  pushRefused: 'urn:switchboard:push-refused',
  connectorDisabled: 'urn:switchboard:connector-disabled',
  deliveryNotDead: 'urn:switchboard:delivery-not-dead',
  ruleFileChanged: 'urn:switchboard:rule-file-changed',
  rulesNotSaved: 'urn:switchboard:rules-not-saved',
  internalError: 'urn:switchboard:internal-error',
} as const;

export type ProblemKind = keyof typeof PROBLEM_TYPES;
export type ProblemType = (typeof PROBLEM_TYPES)[ProblemKind];

/** Answers with problem JSON of a stable kind; the compiler refuses a kind that is not listed above. */
export function sendProblem(
  reply: FastifyReply,
  status: number,
  kind: ProblemKind,
  title: string,
  detail?: string,
  errors?: FieldProblem[],
) {
  const body: Problem = { type: PROBLEM_TYPES[kind], title, status, detail };
  if (errors) body.errors = errors;
  return reply.code(status).type('application/problem+json').send(body);
}

/** A request that names bad fields: 400 `invalid-request` listing each one. */
export function sendInvalidRequest(reply: FastifyReply, errors: FieldProblem[]) {
  return sendProblem(reply, 400, 'invalidRequest', 'Invalid request', undefined, errors);
}
