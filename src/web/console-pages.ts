import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { listPublicFiles, PAGE_HEADERS } from './pages.ts';

/** The analyst console: plain files, no build step, beside the clinician page. */
export const CONSOLE_DIR = fileURLToPath(new URL('./console/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Serves the console at `/console` and its files under `/console/`. The console is never framed (it edits
 * routing), so it keeps the strict headers even where the clinician page may sit inside an EHR. The files
 * hold no data; every API they call asks for an analyst or admin session.
 */
export function registerConsole(app: FastifyInstance, root: string = CONSOLE_DIR): void {
  const files = listPublicFiles(root);
  const index = files.get('/index.html');
  if (!index) throw new Error(`the analyst console is missing: no index.html in ${root}`);
  const send = async (reply: import('fastify').FastifyReply, file: string) =>
    reply
      .headers(PAGE_HEADERS)
      .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
      .send(await readFile(file));
  const open = { config: { access: 'public' as const } };
  app.get('/console', open, (_req, reply) => send(reply, index));
  for (const [path, file] of files)
    if (CONTENT_TYPES[extname(file)]) app.get(`/console${path}`, open, (_req, reply) => send(reply, file));
}
