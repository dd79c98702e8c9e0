/**
 * Failing inputs are kept as regression fixtures in test/fixtures/fuzz/<parser>/, named by what went wrong
 * and the input's hash, and replayed by test/fuzz/replay.test.ts in every `npm test`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../test/fixtures/fuzz/', import.meta.url));

export type FailureKind = 'crash' | 'hang';

export function saveFailure(parser: string, kind: FailureKind, input: Buffer): string {
  const dir = `${FIXTURES}${parser}`;
  mkdirSync(dir, { recursive: true });
  const name = `${kind}-${createHash('sha256').update(input).digest('hex').slice(0, 12)}.bin`;
  writeFileSync(`${dir}/${name}`, input);
  return `test/fixtures/fuzz/${parser}/${name}`;
}

/** The kept inputs of one parser, by file name. */
export function keptFailures(parser: string): Array<{ name: string; input: Buffer }> {
  const dir = `${FIXTURES}${parser}`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.bin'));
  } catch {
    return [];
  }
  return names.sort().map((name) => ({ name, input: readFileSync(`${dir}/${name}`) }));
}
