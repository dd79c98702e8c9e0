/**
 * `npm run bench -- <name> [options]` runs bench/<name>.ts; with no name it lists the benchmarks.
 * Benchmarks print figures next to a baseline measured in the same run; they are not tests and assert
 * nothing, so their exit code says only whether they could run.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchmarkModule } from './lib/benchmark.ts';

const here = dirname(fileURLToPath(import.meta.url));

function benchmarkNames(): string[] {
  return readdirSync(here)
    .filter(
      (f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts') && !f.endsWith('.config.ts'),
    )
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(name: string): Promise<BenchmarkModule> {
  const module = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as Partial<BenchmarkModule>;
  if (typeof module.run !== 'function' || typeof module.about !== 'string')
    throw new Error(`bench/${name}.ts must export about, usage and run(argv)`);
  return module as BenchmarkModule;
}

async function list(): Promise<void> {
  console.log('usage: npm run bench -- <name> [options]    (--help after a name shows its options)\n');
  for (const name of benchmarkNames()) console.log(`  ${name.padEnd(12)} ${(await load(name)).about}`);
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') return list();
  if (!benchmarkNames().includes(name)) {
    console.error(`no benchmark named "${name}"\n`);
    await list();
    process.exitCode = 2;
    return;
  }
  const benchmark = await load(name);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${name}: ${benchmark.about}\n\noptions:\n${benchmark.usage}`);
    return;
  }
  await benchmark.run(rest);
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exitCode = 1;
});
