import type { FastifyReply } from 'fastify';

/** RFC 9457 problem details: every HTTP error Switchboard returns has this JSON shape. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: Array<{ key: string; message: string; file?: string; line?: number }>;
}

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
