import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { plainThreadModule } from './thread-module.ts';

const bootUrl = new URL('./thread-boot.mjs', import.meta.url);

describe('a thread module as plain JavaScript', () => {
  it('bundles a TypeScript module once, into a file a thread runs without a TypeScript loader', async () => {
    const source = new URL('./at-most.ts', import.meta.url).href;
    const plain = await plainThreadModule(source);
    expect(plain).toMatch(/\/node_modules\/\.cache\/switchboard-threads\/at-most-[0-9a-f]{16}\.mjs$/);
    expect(await plainThreadModule(source)).toBe(plain);
    const bundled = (await import(plain)) as typeof import('./at-most.ts');
    const seen: number[] = [];
    await bundled.eachAtMost([1, 2, 3], 2, async (n) => {
      seen.push(n);
    });
    expect(seen).toEqual([1, 2, 3]);
    // thread-boot.mjs registers tsx only for a .ts entry: this thread has no loader, and no execArgv.
    const thread = new Worker(bootUrl, { workerData: { entry: plain }, execArgv: [] });
    const code = await new Promise((resolve) => thread.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('leaves a JavaScript module as it is', async () => {
    expect(await plainThreadModule(bootUrl.href)).toBe(bootUrl.href);
  });

  it('answers the module itself when it cannot be bundled, for thread-boot.mjs to run through tsx', async () => {
    const missing = new URL('./no-such-module.ts', import.meta.url).href;
    expect(await plainThreadModule(missing)).toBe(missing);
  });
});
