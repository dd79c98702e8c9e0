/**
 * Sign-in lockouts for admins: `GET /api/lockouts` lists every lock in force (API accounts and addresses,
 * WCTP senders and addresses), `DELETE /api/lockouts/:kind/:key` lifts one and forgets its failures.
 * Every lift is audited under the admin's name.
 */
import type { FastifyInstance } from 'fastify';
import { type Lockout, lockoutSubject, type SignInGuard } from '../kit/sign-in-guard.ts';
import type { AuditLog } from '../store/port.ts';
import { sendProblem } from './problem.ts';
import { problem } from './schemas.ts';

export interface LockoutRoutesDeps {
  guards: readonly SignInGuard[];
  audit: AuditLog;
  now: () => Date;
}

const LIFT_SCHEMA = {
  summary: 'Lift a lock and forget its failures (audited)',
  tags: ['sign-in'],
  params: {
    type: 'object',
    required: ['kind', 'key'],
    properties: {
      kind: { type: 'string', description: 'account, address, wctp-sender or wctp-address' },
      key: { type: 'string', description: 'the user name, address or sender locked' },
    },
  },
  response: { 404: problem('No lock of that kind and key is in force') },
};

export function lockoutRoutes(app: FastifyInstance, deps: LockoutRoutesDeps): void {
  const kinds = deps.guards.flatMap((g) => g.kinds);

  app.get(
    '/api/lockouts',
    {
      config: { access: ['admin'] },
      schema: { summary: 'Every sign-in and WCTP lock in force', tags: ['sign-in'] },
    },
    async () => ({
      items: deps.guards.flatMap((g) => g.lockouts()).map(view),
    }),
  );

  app.delete<{ Params: { kind: string; key: string } }>(
    '/api/lockouts/:kind/:key',
    { config: { access: ['admin'] }, schema: LIFT_SCHEMA },
    async (req, reply) => {
      const { kind, key } = req.params;
      const guard = deps.guards.find((g) => g.kinds.includes(kind));
      if (!guard)
        return sendProblem(
          reply,
          404,
          'notFound',
          'Unknown lockout kind',
          `kind is one of ${kinds.join(', ')}`,
        );
      const lifted = await guard.lift(kind, key);
      if (!lifted)
        return sendProblem(reply, 404, 'notFound', 'Not locked', `${kind} ${key} has no lock in force`);
      await deps.audit.record({
        at: deps.now(),
        actor: req.user?.username ?? 'unknown',
        action: 'sign-in.lockout.lift',
        subject: lockoutSubject(lifted),
        detail: `lifted the lock set at ${lifted.lockedAt.toISOString()} until ${lifted.until.toISOString()}`,
      });
      return { lifted: view(lifted) };
    },
  );
}

function view(lock: Lockout) {
  return {
    kind: lock.kind,
    key: lock.key,
    lockedAt: lock.lockedAt.toISOString(),
    until: lock.until.toISOString(),
    failures: lock.failures,
    lockouts: lock.lockouts,
  };
}
