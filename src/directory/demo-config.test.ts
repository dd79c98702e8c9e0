import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { YamlFile } from '../kit/yaml-files.ts';
import { loadDirectory } from './load.ts';

// The demo hospital in config/ is part of the product: `npm start` must load it cleanly.
const configDir = fileURLToPath(new URL('../../config/', import.meta.url));

describe('demo directory (config/directory.yaml)', () => {
  const { value: directory, problems } = loadDirectory(configDir);

  it('loads without a problem', () => {
    expect(problems).toEqual([]);
    expect(directory.people().length).toBeGreaterThanOrEqual(20);
    expect(directory.person('ph-cardiology-fellow')?.placeholder).toBe(true);
  });

  it('gives every clinician a unique app account and a pager number', () => {
    const accounts = new Set<string>();
    for (const p of directory.people()) {
      const app = directory.contacts(p.id, 'app');
      expect(app, p.id).toHaveLength(1);
      expect(accounts.has(app[0].address), app[0].address).toBe(false);
      accounts.add(app[0].address);
      if (!p.placeholder) expect(directory.contacts(p.id, 'pager'), p.id).toHaveLength(1);
    }
    expect(directory.person('p-ahmed')?.contacts[0]).toEqual({ kind: 'app', address: 'dr.ahmed' });
  });

  it('has everyone that the demo staff coverage names', () => {
    const coverage = new YamlFile('coverage.yaml', readFileSync(`${configDir}coverage.yaml`, 'utf8'))
      .value as {
      coverage: { staff: Array<{ person: string }>; csv?: string[] };
    };
    const ids = coverage.coverage.staff.map((s) => s.person);
    for (const csv of coverage.coverage.csv ?? []) {
      const rows = readFileSync(`${configDir}${csv}`, 'utf8').trim().split(/\r?\n/).slice(1);
      ids.push(...rows.map((r) => r.split(',')[0]));
    }
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.filter((id) => !directory.person(id))).toEqual([]);
  });

  it('gives the failsafe group members and its own pager', () => {
    expect(directory.members('operators').length).toBeGreaterThan(0);
    expect(directory.findByPagerNumber('6175550100').groups.map((g) => g.id)).toEqual(['operators']);
  });
});
