/**
 * `GET /api/openapi.json`: the OpenAPI 3 document of the API, built by @fastify/swagger from the route
 * schemas that fastify also validates with, so the document cannot drift from what the server accepts.
 * Each operation also says who may use it (`x-access`, from the route's declared access, ./access.ts),
 * and gets the answers every route of its kind can give: 400 when it takes input, 401/403 when it needs a
 * session, 500.
 *
 * Public: it describes the routes, never data, and says no more than the README and the source of this
 * open-source project; a client generator or an integration engineer reads it before having an account.
 * Only /api and the push clients' token endpoint (/oauth/token) are described: WCTP has its own DTDs,
 * and the pages are for browsers.
 */
import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { type Access, declaredAccess } from './access.ts';
import { PROBLEM_SCHEMA, problem } from './schemas.ts';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Where the interactive page of the document is served (Swagger UI). */
export const API_EXPLORER = '/api/docs';

/** Registered before any route: the document is made of the routes it sees being added. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.addSchema(PROBLEM_SCHEMA);
  // The explorer's own routes (its page, scripts and a copy of the document) are as public as the document
  // it shows; they are marked here, before the access recorder (../auth.ts) sees them being added. A call
  // tried from the page still needs a token the user pastes under "Authorize".
  app.addHook('onRoute', (route) => {
    if (route.prefix === API_EXPLORER) route.config = { ...route.config, access: 'public' };
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Switchboard API',
        version,
        description:
          'Sign in with POST /api/session and send `Authorization: Bearer <token>`. Errors are problem JSON; their stable `type`s are listed in docs/api-errors.md.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          // The push API's own tokens (src/api/oauth-token.ts), for scheduling systems rather than people.
          pushClient: {
            type: 'oauth2',
            description: 'OAuth 2.0 client credentials for a scheduling system that pushes shifts',
            flows: {
              clientCredentials: {
                tokenUrl: '/oauth/token',
                scopes: {
                  'schedules:write': 'every push source the client may write',
                  'schedules:write:{source}': 'one push source, e.g. schedules:write:anesthesia',
                },
              },
            },
          },
        },
      },
    },
    // Shared schemas keep their own names (`#/components/schemas/Problem`).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: (document) =>
      'openapiObject' in document
        ? finish(document.openapiObject as OpenApiDocument)
        : document.swaggerObject,
    transform: ({ schema, url, route }) => {
      if (!url.startsWith('/api/') && url !== '/oauth/token')
        return { schema: { ...schema, hide: true }, url };
      const access = declaredAccess(route.config as { access?: unknown }, `${route.method} ${url}`);
      // @fastify/websocket hides its routes; ours is described as the GET that upgrades (101).
      const shown = route.websocket ? { ...schema, hide: false } : (schema ?? {});
      return { schema: describe(shown, access), url };
    },
  });
}

/**
 * The document's own route, added after the access recorder (../auth.ts) so its access is on record, and
 * its interactive page at /api/docs, where an integration engineer reads each operation and tries it.
 */
export async function openApiRoute(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, {
    routePrefix: API_EXPLORER,
    // The page's own Content-Security-Policy: its scripts and styles from this server only.
    staticCSP: true,
    uiConfig: { deepLinking: true, persistAuthorization: false, tryItOutEnabled: false },
  });
  app.get(
    '/api/openapi.json',
    {
      config: { access: 'public' },
      schema: { summary: 'This OpenAPI document', tags: ['api'] },
    },
    async () => app.swagger(),
  );
}

/** The answers a route gives by being what it is, added to the ones it declares. */
function describe(schema: FastifySchema, access: Access): FastifySchema {
  const declared = (schema.response ?? {}) as Record<string, unknown>;
  const response: Record<string, unknown> = {};
  if (!Object.keys(declared).some((s) => /^[12]/.test(s))) response[200] = { description: 'OK' };
  Object.assign(response, declared);
  if (schema.querystring || schema.params || schema.body)
    response[400] ??= problem('Invalid request: `errors` lists every bad field');
  if (access !== 'public') {
    response[401] ??= problem('Sign in required');
    if (access !== 'signed-in') response[403] ??= problem(`Needs the role ${access.join(' or ')}`);
  }
  response[500] ??= problem('Internal error');
  return {
    ...schema,
    response,
    // A public route may name its own scheme (the push API's OAuth tokens).
    security: schema.security ?? (access === 'public' ? [] : [{ bearer: [] }]),
    'x-access': access,
  } as FastifySchema;
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, OperationObject> | undefined>;
}
interface OperationObject {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { nullable?: boolean } }> };
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}

/**
 * Two things the generator cannot be told per route: errors travel as `application/problem+json`, and a
 * body whose schema allows null (answering an alert) may be left out.
 */
function finish(doc: OpenApiDocument): OpenApiDocument {
  for (const operations of Object.values(doc.paths ?? {}))
    for (const op of Object.values(operations ?? {})) {
      const json = op.requestBody?.content?.['application/json'];
      if (op.requestBody && json?.schema?.nullable) op.requestBody.required = false;
      for (const response of Object.values(op.responses ?? {})) {
        const content = response.content?.['application/json'];
        if (content?.schema?.$ref === '#/components/schemas/Problem')
          response.content = { 'application/problem+json': content };
      }
    }
  return doc;
}
