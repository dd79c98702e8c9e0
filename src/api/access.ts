import type { FastifyInstance } from 'fastify';
import type { Role } from './sessions.ts';

/**
 * Who may reach a route, declared by the route itself in its fastify config:
 *
 *   app.get('/api/rules', { config: { access: ['analyst', 'admin'] } }, handler)
 *
 * - `'public'`: no session (health, sign-in, the static pages, WCTP and the WebSocket, which check their own
 *   credentials);
 * - `'signed-in'`: any valid session or API token; the handler narrows further by owner where it must
 *   (a clinician sees only their own alerts);
 * - a list of roles: only those.
 *
 * A route that declares nothing needs a session: forgetting the declaration can never open a route.
 * The decision is made on the route fastify matched, after it decoded the path, so no spelling of a URL
 * (`%61pi`, `//`, `..`) reaches a handler without the check of that handler's own route.
 */
export type Access = 'public' | 'signed-in' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

export const DEFAULT_ACCESS: Access = 'signed-in';

/** Interface analysts and admins: the people who may read raw messages and change routing. */
export const STAFF: readonly Role[] = ['analyst', 'admin'];

const ROLES: readonly Role[] = ['clinician', 'analyst', 'admin'];

/** One row of the route table: what a test or an operator reads to see who can reach what. */
export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

/** The access of a route as declared, checked when the route is added: a typo fails at start, not in use. */
export function declaredAccess(config: { access?: unknown } | undefined, where: string): Access {
  const access = config?.access;
  if (access === undefined) return DEFAULT_ACCESS;
  if (access === 'public' || access === 'signed-in') return access;
  if (
    Array.isArray(access) &&
    access.length > 0 &&
    access.every((r) => typeof r === 'string' && (ROLES as string[]).includes(r))
  )
    return access as readonly Role[];
  throw new Error(
    `${where}: config.access must be 'public', 'signed-in' or a list of roles (${ROLES.join(', ')})`,
  );
}

/** Records every route's access as it is added (fastify has no public route list to walk later). */
export function recordRouteAccess(app: FastifyInstance, table: RouteAccess[]): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const access = declaredAccess(route.config as { access?: unknown }, `${methods.join(',')} ${route.url}`);
    for (const method of methods) table.push({ method, url: route.url, access });
  });
}

/** Whether a user of this role (or nobody, when undefined) may use a route of this access. */
export function allows(access: Access, role: Role | undefined): boolean {
  if (access === 'public') return true;
  if (role === undefined) return false;
  return access === 'signed-in' || access.includes(role);
}
