import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, listPublicFiles, registerPages } from './pages.ts';

describe('registerPages with the real page', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    registerPages(app);
    app.get('/api/health', async () => ({ status: 'ok' }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('serves index.html at / with no-cache and a strict CSP', async () => {
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' ws: wss:");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.body).toContain('<script type="module" src="app.js"></script>');
  });

  it('has no inline script or style the CSP would block', async () => {
    const html = (await app.inject('/')).body;
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/<style|style="/);
  });

  it('serves each module and the stylesheet with its content type', async () => {
    for (const [path, type] of [
      ['/app.js', 'text/javascript; charset=utf-8'],
      ['/alert-socket.js', 'text/javascript; charset=utf-8'],
      ['/style.css', 'text/css; charset=utf-8'],
      ['/icon.svg', 'image/svg+xml'],
      ['/index.html', 'text/html; charset=utf-8'],
    ]) {
      const res = await app.inject(path);
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['content-type'], path).toBe(type);
      expect(res.headers['cache-control'], path).toBe('no-cache');
    }
  });

  it('every module app.js imports is served', async () => {
    const seen = new Set<string>();
    const queue = ['/app.js'];
    while (queue.length) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await app.inject(path);
      expect(res.statusCode, path).toBe(200);
      for (const m of res.body.matchAll(/from '\.\/([\w-]+\.js)'/g)) queue.push(`/${m[1]}`);
    }
    expect(seen.size).toBeGreaterThan(5);
  });

  it('keeps type declarations, tests and unknown paths private', async () => {
    for (const path of ['/format.d.ts', '/app.ts', '/nothing.js', '/../pages.ts', '/%2e%2e/pages.ts']) {
      const res = await app.inject(path);
      expect(res.statusCode, path).toBe(404);
    }
  });

  it('leaves /api routes to the API', async () => {
    const res = await app.inject('/api/health');
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/style.css' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
  });
});

describe('listPublicFiles', () => {
  let root: string;
  let outside: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'sb-web-'));
    outside = mkdtempSync(join(tmpdir(), 'sb-web-outside-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(root, 'app.js'), 'export {};');
    writeFileSync(join(root, 'app.d.ts'), 'export {};');
    writeFileSync(join(root, 'format.test.js'), '');
    writeFileSync(join(root, '.secret.js'), '');
    writeFileSync(join(root, 'notes.txt'), 'private');
    mkdirSync(join(root, 'img'));
    writeFileSync(join(root, 'img', 'logo.svg'), '<svg/>');
    writeFileSync(join(outside, 'passwd.js'), 'secret');
    symlinkSync(join(outside, 'passwd.js'), join(root, 'linked.js'));
    symlinkSync(outside, join(root, 'linked-dir'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('lists servable files only, never through a link that leaves the folder', () => {
    expect([...listPublicFiles(root).keys()].sort()).toEqual(['/app.js', '/img/logo.svg', '/index.html']);
  });

  it('serves a nested file and refuses to start without index.html', async () => {
    const app = Fastify();
    registerPages(app, root);
    const res = await app.inject('/img/logo.svg');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('<svg/>');
    expect((await app.inject('/linked.js')).statusCode).toBe(404);
    await app.close();
    rmSync(join(root, 'index.html'));
    expect(() => registerPages(Fastify(), root)).toThrow(/no index\.html/);
  });

  it('names the policy the brief asks for', () => {
    expect(CONTENT_SECURITY_POLICY.split('; ')[0]).toBe("default-src 'self'");
  });
});
