/**
 * `GET /api/openapi.json` is made from the same route schemas the server validates with: it lists every /api
 * route of the running server (walked from the server's own route table, so a route added later is covered),
 * with its parameters, who may use it, and the problem JSON of its errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';

interface Operation {
  summary?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema: Record<string, unknown> }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }>;
  security?: unknown[];
  'x-access'?: unknown;
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

let sb: TestSwitchboard;
let doc: Document;

beforeAll(async () => {
  sb = await startTestSwitchboard();
  // Public, no token: a client generator reads it before it has an account.
  const res = await fetch(`${sb.httpUrl}/api/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/json');
  doc = JSON.parse(await res.text()) as Document;
});
afterAll(async () => {
  await sb?.cleanup();
});

/** Every /api route but the explorer's own page and files, which the document leaves out. */
const apiRoutes = () =>
  (sb.http?.routes ?? []).filter(
    (r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs') && r.method !== 'HEAD',
  );
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');
const operation = (method: string, url: string) => doc.paths[openApiPath(url)]?.[method.toLowerCase()];

describe('the OpenAPI document', () => {
  it('is OpenAPI 3 JSON', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'Switchboard API' });
    expect(doc.components.schemas.Problem).toBeDefined();
  });

  it('lists every /api route with a summary and the access it declares, and nothing else', () => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter((r) => !operation(r.method, r.url)).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    for (const r of routes) {
      const op = operation(r.method, r.url) as Operation;
      expect(op.summary, `${r.method} ${r.url}`).toBeTruthy();
      expect(op['x-access'], `${r.method} ${r.url}`).toEqual(r.access);
      // The push API checks its own OAuth tokens: public to the session gate, but not without a token.
      const security = r.url.startsWith('/api/v1/schedules/')
        ? [{ pushClient: [] }]
        : r.access === 'public'
          ? []
          : [{ bearer: [] }];
      expect(op.security, `${r.method} ${r.url}`).toEqual(security);
    }
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    // Besides /api, only the push clients' token endpoint, which the pushClient scheme names.
    expect(listed.length).toBe(routes.length + 1);
    expect(listed.filter((o) => !o.includes(' /api/'))).toEqual(['POST /oauth/token']);
  });

  it('describes parameters from the schemas the server checks with', () => {
    const messages = operation('GET', '/api/messages') as Operation;
    const status = messages.parameters?.find((p) => p.name === 'status');
    expect(status).toMatchObject({ in: 'query', schema: { type: 'string' } });
    expect(status?.schema.enum).toContain('unrouted');
    expect(messages.parameters?.find((p) => p.name === 'since')?.schema).toMatchObject({
      format: 'date-time',
    });
    const alert = operation('GET', '/api/alerts/:id') as Operation;
    expect(alert.parameters?.find((p) => p.name === 'id')).toMatchObject({
      in: 'path',
      required: true,
      schema: { type: 'integer', minimum: 1 },
    });
    const dryRun = operation('POST', '/api/rules/dry-run') as Operation;
    expect(Object.keys(dryRun.requestBody?.content ?? {})).toEqual(
      expect.arrayContaining(['application/json', 'text/plain']),
    );
  });

  it('gives each error answer the problem JSON schema', () => {
    const alert = operation('GET', '/api/alerts/:id') as Operation;
    for (const status of ['400', '401', '403', '404']) {
      expect(alert.responses[status]?.content?.['application/problem+json']?.schema.$ref, status).toBe(
        '#/components/schemas/Problem',
      );
    }
    const accept = operation('POST', '/api/alerts/:id/accept') as Operation & {
      requestBody: { required: boolean };
    };
    expect(accept.responses['409']?.description).toMatch(/already acknowledged/);
    // Answering an alert needs no body; signing in does.
    expect(accept.requestBody.required).toBe(false);
    expect((operation('POST', '/api/session') as typeof accept).requestBody.required).toBe(true);
    const health = operation('GET', '/api/health') as Operation;
    expect(health.responses['401']).toBeUndefined();
  });
});

describe('the API explorer at /api/docs', () => {
  it('serves Swagger UI without a token, under a policy that allows only its own scripts', async () => {
    const page = await fetch(`${sb.httpUrl}/api/docs`, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('swagger-ui');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const script = await fetch(`${sb.httpUrl}/api/docs/static/swagger-initializer.js`);
    expect(script.status).toBe(200);
    // It points at its own copy of the document, which is the document.
    expect(await script.text()).toContain('./json');
    const copy = await fetch(`${sb.httpUrl}/api/docs/json`);
    expect(copy.status).toBe(200);
    expect(await copy.json()).toEqual(doc);
  });

  it('leaves its own files out of the document', () => {
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/docs'))).toEqual([]);
  });
});
