import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

const FIXTURES = join(import.meta.dirname, '../../fixtures/exports');

/**
 * Compares a file byte for byte with its golden copy in test/fixtures/exports/. UPDATE_GOLDEN=1 writes the
 * copy instead (then read it, and commit it only if it is what the receiving system should get).
 */
export function expectGolden(name: string, actual: Buffer): void {
  const file = join(FIXTURES, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1')
      throw new Error(`no golden file ${name}; run with UPDATE_GOLDEN=1 and review it`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  const golden = readFileSync(file);
  if (!golden.equals(actual)) expect(actual.toString('utf8')).toBe(golden.toString('utf8'));
  expect(golden.equals(actual)).toBe(true);
}
