/**
 * The push API's parts put together: the push clients from config, the token signer, the secret check
 * with its own brute-force guard (locks per client id and per address, audited, listed with the other
 * lockouts), the token endpoint and the push routes, which hand each push to the sync engine.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { tokenEndpoint } from '../api/oauth-token.ts';
import type { PushClient } from '../api/push-clients.ts';
import { PushTokens } from '../api/push-tokens.ts';
import { type PushOutcome, schedulePushRoutes } from '../api/schedule-push.ts';
import { auditedSignInGuard, PasswordSignIn } from '../api/sign-in.ts';
import type { LockoutLimits, SignInGuard } from '../kit/sign-in-guard.ts';
import type { SourcePull } from '../schedules/sources/source.ts';
import type { AuditLog } from '../store/port.ts';

export interface SchedulePushWiring {
  clients: () => readonly PushClient[];
  /** The signing key (pushTokenSecret). */
  secret: Buffer | string;
  verify: (secret: string, hash: string) => Promise<boolean>;
  isPushSource: (sourceId: string) => boolean;
  apply: (sourceId: string, pull: SourcePull, actor: string) => Promise<PushOutcome>;
  audit: AuditLog;
  log: Logger;
  now: () => Date;
  /** @defaultValue 10 failures in 15 minutes per client id, 20 per address; 60 s doubling to an hour */
  limits?: { client: LockoutLimits; address: LockoutLimits };
}

const DEFAULT_LIMITS = {
  client: { maxFailures: 10, windowSeconds: 900, lockSeconds: 60, maxLockSeconds: 3600 },
  address: { maxFailures: 20, windowSeconds: 900, lockSeconds: 60, maxLockSeconds: 3600 },
};

export function wireSchedulePush(deps: SchedulePushWiring): {
  routes: (app: FastifyInstance) => void;
  guard: SignInGuard;
  tokens: PushTokens;
} {
  const limits = deps.limits ?? DEFAULT_LIMITS;
  const guard = auditedSignInGuard(
    {
      subjectKind: 'push-client',
      addressKind: 'push-address',
      subject: limits.client,
      address: limits.address,
    },
    { action: 'push-client.lockout', what: 'push client lockout' },
    deps,
  );
  const tokens = new PushTokens(deps.secret, deps.clients, deps.now);
  const secrets = new PasswordSignIn({ guard, verify: deps.verify });
  return {
    guard,
    tokens,
    routes: (app) => {
      tokenEndpoint(app, { clients: deps.clients, tokens, secrets });
      schedulePushRoutes(app, { tokens, isPushSource: deps.isPushSource, apply: deps.apply });
    },
  };
}
