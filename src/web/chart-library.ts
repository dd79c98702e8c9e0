import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { PAGE_HEADERS } from './pages.ts';

const require = createRequire(import.meta.url);

/**
 * uPlot, the console dashboard's charts, served from node_modules as `npm ci` installed it: exactly its
 * ES module and its stylesheet, nothing else of the package, no build step and no copy in git.
 */
const FILES: ReadonlyArray<{ url: string; file: string; type: string }> = [
  {
    url: '/console/vendor/uplot.js',
    file: require.resolve('uplot/dist/uPlot.esm.js'),
    type: 'text/javascript; charset=utf-8',
  },
  {
    url: '/console/vendor/uplot.css',
    file: require.resolve('uplot/dist/uPlot.min.css'),
    type: 'text/css; charset=utf-8',
  },
];

export function registerChartLibrary(app: FastifyInstance): void {
  for (const f of FILES)
    app.get(f.url, { config: { access: 'public' } }, async (_req, reply) =>
      reply
        .headers(PAGE_HEADERS)
        .type(f.type)
        .send(await readFile(f.file)),
    );
}
