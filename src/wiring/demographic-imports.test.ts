import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Site } from '../config/site.ts';
import { readDemographicImport } from '../directory/demographic-settings.ts';
import type { Store } from '../store/port.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { wireDemographicImports } from './demographic-imports.ts';

describe('wireDemographicImports', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-demographic-wiring-'));
    mkdirSync(join(dir, 'contacts'));
    store = openSqliteStore(join(dir, 'data'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies a waiting file on its first turn and logs the rows it left out, never the values', async () => {
    const settings = readDemographicImport(
      {
        id: 'hr',
        folder: 'contacts',
        settleSeconds: 0,
        key: { column: 'unique_id', match: 'uniqueId' },
        contacts: [{ column: 'pager', kind: 'pager' }],
      },
      () => {},
    )!;
    writeFileSync(join(dir, 'contacts', 'c.csv'), 'unique_id,pager\nU1,555-0101\nU9,555-0109\n');
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const wired = wireDemographicImports({
      site: { configDir: dir, demographicImports: [settings] } as unknown as Site,
      store,
      log,
      now: () => new Date('2030-01-01T00:00:00Z'),
      findPeople: (kind, value) => (kind === 'uniqueId' && value === 'U1' ? ['p-ahmed'] : []),
    });
    await expect.poll(() => readdirSync(join(dir, 'contacts'))).toEqual(['processed']);
    await wired.stop();
    expect(
      (await store.directory.contacts('p-ahmed')).map((c) => `${c.kind} ${c.address} ${c.origin.source}`),
    ).toEqual(['pager 555-0101 import:hr']);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.map((l) => [l.msg, l.updated ?? l.reason])).toEqual([
      ['demographic file applied', 1],
      ['demographic row not applied', 'nobody'],
    ]);
    expect(lines.join('\n')).not.toContain('555-01');
  });
});
