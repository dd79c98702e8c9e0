/**
 * A worker thread's module as plain JavaScript. A clone runs TypeScript through tsx, whose loader a thread
 * must register for itself (thread-boot.mjs): on Node 20 that is a hooks thread of its own and every module
 * compiled again, 250-290 ms of CPU and 35 MB for the export file thread, where the same modules bundled
 * once into one plain file start in 45 ms and 11 MB (bench/README.md, exports). So a .ts module is bundled
 * by esbuild (the compiler tsx itself runs) into node_modules/.cache, once per process; packages stay
 * imports of their own, resolved from node_modules as before. The compiled build's .js is used as it is.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Bundles made by this process, by the module's URL. */
const bundled = new Map<string, Promise<string>>();
/** The last bundle asked for: one esbuild run at a time, as each stops esbuild's process when done. */
let lastBuild: Promise<unknown> = Promise.resolve();

/**
 * The URL a thread should import for `url`: a bundle of it when it is TypeScript, else `url`. When it
 * cannot be bundled (no esbuild, a read-only node_modules) the answer is `url` itself, which thread-boot.mjs
 * runs through tsx as before: slower to start, the same file.
 */
export function plainThreadModule(url: string): Promise<string> {
  if (!url.endsWith('.ts')) return Promise.resolve(url);
  let made = bundled.get(url);
  if (!made) {
    made = lastBuild.then(() => bundle(url)).catch(() => url);
    lastBuild = made;
    bundled.set(url, made);
  }
  return made;
}

async function bundle(url: string): Promise<string> {
  const esbuild = await import('esbuild');
  const source = fileURLToPath(url);
  let code: string;
  try {
    const result = await esbuild.build({
      entryPoints: [source],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Packages (better-sqlite3 is native) are imported from node_modules, as the sources import them.
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    code = result.outputFiles[0].text;
  } finally {
    // esbuild keeps a child process for further builds; this process makes one or two, at start.
    await esbuild.stop();
  }
  // Named by content: processes of different versions of the sources never load each other's bundle.
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const folder = join(cacheFolder(), 'switchboard-threads');
  const file = join(folder, `${basename(source, '.ts')}-${hash}.mjs`);
  await mkdir(folder, { recursive: true });
  // Written whole under another name first: a thread of another process never imports half a file.
  const part = `${file}.${process.pid}.part`;
  await writeFile(part, code);
  await rename(part, file);
  return pathToFileURL(file).href;
}

/**
 * node_modules/.cache of the node_modules that holds esbuild: a bundle there imports its packages from that
 * node_modules, as the sources do.
 */
function cacheFolder(): string {
  const esbuildPackage = createRequire(import.meta.url).resolve('esbuild/package.json');
  return join(dirname(dirname(esbuildPackage)), '.cache');
}
