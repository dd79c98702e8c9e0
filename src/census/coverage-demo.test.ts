import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCoverage } from './coverage-load.ts';
import { CoverageResolver } from './coverage-resolver.ts';

// The demo hospital in config/ is part of the repository: it must load cleanly and answer sensibly.
const configDir = join(import.meta.dirname, '..', '..', 'config');
const zone = 'America/New_York';

describe.skipIf(!existsSync(join(configDir, 'coverage.yaml')))('demo coverage in config/', () => {
  const { value, problems } = loadCoverage(configDir);
  const resolver = new CoverageResolver(value);
  const at = (iso: string) => new Date(iso);

  it('loads without a problem', () => {
    expect(problems).toEqual([]);
    expect(new Set(value.entries.map((e) => e.unit))).toEqual(new Set(['4W', 'ICU', 'ED']));
  });

  it('gives every bed a nurse and a tech on both shifts, and every unit a charge nurse', () => {
    const beds = [
      ...Array.from({ length: 10 }, (_, i) =>
        ['A', 'B'].map((b) => ({ unit: '4W', room: String(401 + i), bed: b })),
      ).flat(),
      ...Array.from({ length: 8 }, (_, i) => ({ unit: 'ICU', room: '', bed: `ICU-${i + 1}` })),
      ...Array.from({ length: 10 }, (_, i) => ({ unit: 'ED', room: '', bed: `ED-${i + 1}` })),
    ];
    for (const when of ['2024-06-12T14:00:00Z', '2024-06-13T03:00:00Z']) {
      for (const place of beds) {
        expect(
          resolver.covering(place, 'nurse', at(when), zone),
          `${place.unit} ${place.bed} ${when}`,
        ).toHaveLength(1);
        expect(resolver.covering(place, 'tech', at(when), zone)).toHaveLength(1);
        expect(resolver.covering(place, 'charge-nurse', at(when), zone)).toEqual([
          `charge-${place.unit.toLowerCase()}`,
        ]);
      }
    }
    expect(
      resolver.covering({ unit: '4W', room: '401', bed: 'A' }, 'nurse', at('2024-06-12T14:00:00Z'), zone),
    ).toEqual(['rn-alvarez']);
    expect(resolver.covering({ unit: 'ED', bed: 'ED-7' }, 'nurse', at('2024-06-13T03:00:00Z'), zone)).toEqual(
      ['rn-park'],
    );
  });
});
