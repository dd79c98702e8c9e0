// npm run build: compiles src/ to dist/ with tsc (relative `.ts` imports rewritten to `.js`), then copies
// what tsc does not emit: the worker threads' plain .mjs entries and the web pages' static files.
// The result runs on plain Node (bin/switchboard-dist.js), with no TypeScript loader at run time.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

function* plainModules(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* plainModules(path);
    else if (entry.name.endsWith('.mjs')) yield path;
  }
}
let copied = 0;
for (const file of plainModules(src)) {
  cpSync(file, join(dist, relative(src, file)));
  copied++;
}
// Every folder of static pages: the clinician page and the analyst console.
const pages = ['public', 'console'];
for (const folder of pages) cpSync(join(src, 'web', folder), join(dist, 'web', folder), { recursive: true });
console.log(`dist/: compiled src/ and copied ${copied} worker entries and src/web/{${pages.join(',')}}`);
