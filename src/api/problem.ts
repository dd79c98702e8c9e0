import type { FastifyReply } from 'fastify';

/** RFC 9457 problem details: every HTTP error Switchboard returns has this JSON shape. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: Array<{ key: string; message: string; file?: string; line?: number }>;
}

/** Stable problem `type`s that clients may branch on (docs/api-errors.md lists them). */
export const PROBLEM_TYPES = {
  signInRequired: 'urn:switchboard:sign-in-required',
  roleRequired: 'urn:switchboard:role-required',
} as const;

export function sendProblem(
  reply: FastifyReply,
  status: number,
  title: string,
  detail?: string,
  extra?: Partial<Problem>,
) {
  const body: Problem = { type: 'about:blank', title, status, detail, ...extra };
  return reply.code(status).type('application/problem+json').send(body);
}
