import { describe, expect, it } from 'vitest';
import type { ConfigProblem } from '../../kit/config-errors.ts';
import { YamlFile } from '../../kit/yaml-files.ts';
import { FileChecker } from './checks.ts';
import { DuringWindows } from './during.ts';

const ZONE = 'America/New_York';

function windows(yaml: string): { w?: DuringWindows; problems: ConfigProblem[] } {
  const file = new YamlFile('rules/t.yaml', `during: ${yaml}\n`);
  const problems: ConfigProblem[] = [];
  const w = DuringWindows.parse(
    (file.value as { during: unknown }).during,
    ['during'],
    new FileChecker(file, problems),
    ZONE,
  );
  return { w, problems };
}

function at(yaml: string, iso: string): boolean {
  const { w, problems } = windows(yaml);
  if (!w) throw new Error(JSON.stringify(problems));
  return w.holdsAt(Date.parse(iso)) !== undefined;
}

describe('during windows', () => {
  it('holds within a daytime window on the named days, in local time', () => {
    const weekdays = "{ days: [mon, tue, wed, thu, fri], from: '07:00', to: '19:00' }";
    expect(at(weekdays, '2025-03-10T11:00:00Z')).toBe(true); // Mon 07:00 EDT
    expect(at(weekdays, '2025-03-10T10:59:00Z')).toBe(false); // Mon 06:59 EDT
    expect(at(weekdays, '2025-03-10T23:00:00Z')).toBe(false); // Mon 19:00 EDT: `to` is exclusive
    expect(at(weekdays, '2025-03-15T15:00:00Z')).toBe(false); // Saturday
  });

  it('lets a window cross midnight, belonging to the day it starts', () => {
    const fridayNight = "{ days: [fri], from: '19:00', to: '07:00' }";
    expect(at(fridayNight, '2025-03-15T10:00:00Z')).toBe(true); // Sat 06:00 EDT
    expect(at(fridayNight, '2025-03-14T10:00:00Z')).toBe(false); // Fri 06:00: Thursday's night
    expect(at(fridayNight, '2025-03-14T23:30:00Z')).toBe(true); // Fri 19:30
  });

  it('keeps wall-clock meaning on the 23-hour day (spring forward, 9 March 2025)', () => {
    const night = "{ from: '19:00', to: '07:00' }";
    expect(at(night, '2025-03-09T10:59:00Z')).toBe(true); // 06:59 EDT, after the jump
    expect(at(night, '2025-03-09T11:00:00Z')).toBe(false); // 07:00 EDT
    // 02:00-03:00 does not exist that night: the window never holds.
    const lostHour = "{ days: [sun], from: '02:00', to: '03:00' }";
    expect(at(lostHour, '2025-03-09T06:59:00Z')).toBe(false); // 01:59 EST
    expect(at(lostHour, '2025-03-09T07:00:00Z')).toBe(false); // 03:00 EDT
  });

  it('holds twice through the repeated hour on the 25-hour day (fall back, 2 November 2025)', () => {
    const oneAm = "{ days: [sun], from: '01:00', to: '02:00' }";
    expect(at(oneAm, '2025-11-02T05:30:00Z')).toBe(true); // 01:30 EDT
    expect(at(oneAm, '2025-11-02T06:30:00Z')).toBe(true); // 01:30 EST, again
    expect(at(oneAm, '2025-11-02T07:00:00Z')).toBe(false); // 02:00 EST
  });

  it('takes whole days and several windows', () => {
    const weekend = '[{ days: [sat, sun] }, { days: wed, from: "12:00", to: "13:00" }]';
    expect(at(weekend, '2025-03-16T03:00:00Z')).toBe(true); // Sat 23:00
    expect(at(weekend, '2025-03-12T16:30:00Z')).toBe(true); // Wed 12:30
    expect(at(weekend, '2025-03-12T18:30:00Z')).toBe(false);
    const { w } = windows('{ days: [sat, sun] }');
    expect(w!.holdsAt(Date.parse('2025-03-16T03:00:00Z'))).toBe(
      'local time Sat 23:00 is within sat, sun 00:00–24:00 (America/New_York)',
    );
  });

  it('reports bad days, times and empty windows, located', () => {
    const { w, problems } = windows(
      "[{ days: [mon, funday] }, { from: '7am' }, { from: '08:00', to: '08:00' }, { at: '08:00' }]",
    );
    expect(w).toBeUndefined();
    expect(problems.map((p) => p.key)).toEqual([
      'during.0.days.1',
      'during.1.from',
      'during.2',
      'during.3.at',
    ]);
  });
});
