/**
 * What the single sign-on routes (OpenID Connect, SAML, SMART launch) share about a sign-in under way: it
 * is kept in the store (store/session-port.ts, SignInFlows), so the identity provider may send the browser
 * back to any instance behind the balancer, and a state is used once even when two instances race for it.
 */
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { FastifyReply } from 'fastify';
import type { SignInFlowKind, SignInFlows } from '../store/session-port.ts';
import { sendProblem } from './problem.ts';

/** How long a sign-in may take between the redirect and the callback. */
export const SIGN_IN_FLOW_MS = 10 * 60_000;

/**
 * Sign-ins of one kind open at once, across the cluster. Far above a hospital's shift change (every
 * finished sign-in frees its row at once), and low enough that someone starting sign-ins in a loop fills
 * no disk: they get the busy answer until their flows expire.
 */
export const OPEN_SIGN_IN_LIMIT = 10_000;

/** Keeps a flow's value (JSON) for SIGN_IN_FLOW_MS; false when OPEN_SIGN_IN_LIMIT flows of its kind are open. */
export function holdSignIn<T>(
  flows: Pick<SignInFlows, 'holdFlow'>,
  kind: SignInFlowKind,
  key: string,
  value: T,
  now: Date,
): Promise<boolean> {
  return flows.holdFlow(
    { kind, key, value: JSON.stringify(value), expiresAt: new Date(now.getTime() + SIGN_IN_FLOW_MS) },
    now,
    OPEN_SIGN_IN_LIMIT,
  );
}

/** The flow's value, once: a second callback with the same key (on any instance) gets nothing. */
export async function takeSignIn<T>(
  flows: Pick<SignInFlows, 'takeFlow'>,
  kind: SignInFlowKind,
  key: string,
  now: Date,
): Promise<T | undefined> {
  const value = key ? await flows.takeFlow(kind, key, now) : undefined;
  return value === undefined ? undefined : (JSON.parse(value) as T);
}

/** The answer when the limit is reached: the problem JSON every sign-in route gives when it is busy. */
export function tooManySignIns(reply: FastifyReply) {
  return sendProblem(
    reply.header('retry-after', '60'),
    503,
    'signInBusy',
    'Too many sign-ins under way',
    `${OPEN_SIGN_IN_LIMIT} sign-ins of this kind were started in the last ten minutes and not finished; try again shortly`,
  );
}

/** Thrown by the SAML request ids' home when the limit is reached; the route answers tooManySignIns. */
export class TooManySignIns extends Error {
  constructor() {
    super('too many sign-ins under way');
    this.name = 'TooManySignIns';
  }
}

/**
 * node-saml's cache of AuthnRequest ids (for InResponseTo), in the store. node-saml saves the request's
 * IssueInstant under its id, reads it back when a Response names the id, and removes it once the Response is
 * handled, whether it signed someone in or not.
 */
export function samlRequestIds(flows: SignInFlows, now: () => Date): CacheProvider {
  return {
    async saveAsync(key: string, value: string): Promise<CacheItem | null> {
      const at = now();
      if (!(await holdSignIn(flows, 'saml', key, value, at))) throw new TooManySignIns();
      return { value, createdAt: at.getTime() };
    },
    async getAsync(key: string): Promise<string | null> {
      const value = await flows.peekFlow('saml', key, now());
      return value === undefined ? null : (JSON.parse(value) as string);
    },
    async removeAsync(key: string | null): Promise<string | null> {
      return key ? ((await takeSignIn<string>(flows, 'saml', key, now())) ?? null) : null;
    },
  };
}
