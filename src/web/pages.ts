import { readdirSync, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The clinician page: plain files, no build step. */
export const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * Only these kinds of file are served. Anything else in the folder (a `.d.ts` that types a module for the
 * unit tests, an editor's swap file) stays private.
 */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

/**
 * CSP (W3C CSP Level 3): scripts and styles only from our own origin, so an injected `<script>` or inline
 * handler in an alert's text can never run. `connect-src` names ws:/wss: because CSP Level 2 browsers do not
 * count a WebSocket to the same host as 'self'. `frame-ancestors 'none'` stops the page being framed to trick
 * a clinician into tapping Acknowledge (clickjacking).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  // no-cache = revalidate every time: a clinician never runs yesterday's page against today's server.
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  // The page never needs to tell another site where it came from.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * The page's headers; a site that embeds the page in its EHR names the EHR's origins, which may then frame
 * it (CSP frame-ancestors; X-Frame-Options cannot name origins, so it is left out then). Nobody else can.
 */
export function pageHeaders(frameAncestors: readonly string[]): Readonly<Record<string, string>> {
  if (frameAncestors.length === 0) return PAGE_HEADERS;
  const { 'x-frame-options': _deny, ...rest } = PAGE_HEADERS;
  return {
    ...rest,
    'content-security-policy': CONTENT_SECURITY_POLICY.replace(
      "frame-ancestors 'none'",
      `frame-ancestors ${frameAncestors.join(' ')}`,
    ),
  };
}

/**
 * Every servable file under `root`, as URL path → absolute file path. Listing the folder once and serving
 * only what is listed is the path-traversal guard: a request path is looked up, never joined onto the disk
 * path, so `/../`, `%2e%2e` and encoded slashes can only miss. Symlinks that lead outside `root` and dot
 * files are left out.
 */
export function listPublicFiles(root: string = PUBLIC_DIR): Map<string, string> {
  const realRoot = realpathSync(root);
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      const real = realpathSync(full);
      const rel = relative(realRoot, real);
      if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) continue;
      if (statSync(real).isDirectory()) walk(full);
      else if (CONTENT_TYPES[extname(entry.name)] && !entry.name.includes('.test.'))
        files.set(`/${relative(root, full).split(sep).join('/')}`, real);
    }
  };
  walk(root);
  return files;
}

/**
 * Serves the clinician page at `/` (index.html) and the files beside it. Files are read on each request
 * (they are a few kilobytes) so an edited page is live at the next load; the set of files is fixed at start.
 */
export function registerPages(
  app: FastifyInstance,
  root: string = PUBLIC_DIR,
  options: { frameAncestors?: readonly string[] } = {},
): void {
  const files = listPublicFiles(root);
  const index = files.get('/index.html');
  if (!index) throw new Error(`the clinician page is missing: no index.html in ${root}`);

  const headers = pageHeaders(options.frameAncestors ?? []);
  const send = async (reply: FastifyReply, file: string) => {
    const body = await readFile(file);
    return reply
      .headers(headers)
      .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
      .send(body);
  };

  // The pages hold no data: what they show comes from the API, which asks for a session.
  const open = { config: { access: 'public' as const } };
  app.get('/', open, (_req, reply) => send(reply, index));
  for (const [path, file] of files) app.get(path, open, (_req, reply) => send(reply, file));
}
