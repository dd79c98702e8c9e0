import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { YamlFile } from '../kit/yaml-files.ts';
import { loadCoverage } from './coverage-load.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'coverage-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const people = new Set(['rn-alvarez', 'rn-baptiste', 'tech-boyd', 'charge-4w', 'rn-chen', 'tech-dube']);
const knownPeople = (id: string) => people.has(id);

const GOOD = `# coverage for tests
coverage:
  shifts:
    day: { start: '07:00', end: '19:00' }
    night: { start: '19:00', end: '07:00' }
  staff:
    - { person: rn-alvarez, role: nurse, unit: 4W, beds: [401-A, 401-B], shift: day }
    - person: rn-baptiste
      role: nurse
      unit: 4W
      beds: [401-A, 401-B]
      start: '19:00'
      end: '07:00'
    - { person: charge-4w, role: charge-nurse, unit: 4W }
  csv: [ed.csv]
`;

const ED_CSV = [
  'person,role,unit,beds,start,end,shift',
  'rn-chen,nurse,ED,"ED-1, ED-2",07:00,19:00,',
  'tech-dube,tech,ED,,,,night',
  '',
].join('\r\n');

describe('loadCoverage', () => {
  it('loads YAML entries, named shifts and CSV rows, each with where it was written', () => {
    writeFileSync(join(dir, 'ed.csv'), ED_CSV);
    const { value, problems } = loadCoverage(new YamlFile('coverage.yaml', GOOD), {
      knownPeople,
      configDir: dir,
    });
    expect(problems).toEqual([]);
    expect(value.entries.map((e) => [e.person, e.role, e.unit, e.beds.join(' '), e.window, e.shift])).toEqual(
      [
        ['rn-alvarez', 'nurse', '4W', '401-A 401-B', { start: 420, end: 1140 }, 'day'],
        ['rn-baptiste', 'nurse', '4W', '401-A 401-B', { start: 1140, end: 420 }, undefined],
        ['charge-4w', 'charge-nurse', '4W', '', undefined, undefined],
        ['rn-chen', 'nurse', 'ED', 'ED-1 ED-2', { start: 420, end: 1140 }, undefined],
        ['tech-dube', 'tech', 'ED', '', { start: 1140, end: 420 }, 'night'],
      ],
    );
    expect(value.entries.map((e) => `${e.origin.file}:${e.origin.line}`)).toEqual([
      'coverage.yaml:7',
      'coverage.yaml:8',
      'coverage.yaml:14',
      'ed.csv:2',
      'ed.csv:3',
    ]);
  });

  it('finds the file holding coverage: in a config folder, and reads CSV beside it', () => {
    writeFileSync(join(dir, 'coverage.yaml'), GOOD);
    writeFileSync(join(dir, 'other.yaml'), 'site:\n  name: x\n');
    writeFileSync(join(dir, 'ed.csv'), ED_CSV);
    const { value, problems } = loadCoverage(dir, { knownPeople });
    expect(problems).toEqual([]);
    expect(value.entries).toHaveLength(5);
  });

  it('is an empty plan when no file has coverage:', () => {
    writeFileSync(join(dir, 'other.yaml'), 'site:\n  name: x\n');
    expect(loadCoverage(dir)).toEqual({ value: { entries: [] }, problems: [] });
  });

  it('reports every problem at once, each with file, line and key', () => {
    const text = `coverage:
  shifts:
    day: { start: '07:00' }
  staff:
    - { person: rn-nobody, role: nurse, unit: 4W }
    - { role: nurse, unit: 4W, beds: 401-A }
    - { person: rn-alvarez, role: nurse, unit: 4W, start: 7pm, end: '19:00' }
    - { person: rn-alvarez, role: nurse, unit: 4W, shift: evening }
    - { person: rn-alvarez, role: nurse, unit: 4W, bed: [401-A] }
    - { person: rn-alvarez, role: nurse, unit: 4W, start: '19:00' }
    - just a string
  csv: [missing.csv]
  extra: true
`;
    const { value, problems } = loadCoverage(new YamlFile('coverage.yaml', text), {
      knownPeople,
      configDir: dir,
    });
    const where = problems.map((p) => `${p.file}:${p.line} ${p.key}`);
    expect(where).toEqual([
      'coverage.yaml:13 coverage.extra',
      'coverage.yaml:3 coverage.shifts.day.end',
      'coverage.yaml:5 coverage.staff.0.person',
      'coverage.yaml:6 coverage.staff.1.person',
      'coverage.yaml:6 coverage.staff.1.beds',
      'coverage.yaml:7 coverage.staff.2.start',
      'coverage.yaml:8 coverage.staff.3.shift',
      'coverage.yaml:9 coverage.staff.4.bed',
      'coverage.yaml:10 coverage.staff.5.end',
      'coverage.yaml:11 coverage.staff.6',
      'coverage.yaml:12 coverage.csv.0',
    ]);
    const message = (key: string) => problems.find((p) => p.key === key)?.message;
    expect(message('coverage.staff.0.person')).toMatch(/rn-nobody is not in the directory/);
    expect(message('coverage.staff.2.start')).toMatch(/HH:MM/);
    expect(message('coverage.staff.3.shift')).toMatch(/evening is not a shift/);
    expect(message('coverage.staff.4.bed')).toMatch(/not a known key/);
    expect(message('coverage.csv.0')).toMatch(/ENOENT/);
    // Only the entry that is wrong in nothing but an unknown key is kept; nothing half-valid.
    expect(value.entries.map((e) => e.person)).toEqual(['rn-alvarez']);
  });

  it('reports CSV problems on the CSV file and line', () => {
    writeFileSync(
      join(dir, 'ed.csv'),
      [
        'person,role,unit,beds,start,end,colour',
        'rn-chen,nurse,ED,ED-1,07:00,',
        'ghost,nurse,ED,,,',
        ',tech,ED',
        'rn-chen,nurse,ED,ED-3,07:00,19:00,red,extra',
      ].join('\n'),
    );
    const yaml = 'coverage:\n  csv: [ed.csv]\n';
    const { problems } = loadCoverage(new YamlFile('coverage.yaml', yaml), { knownPeople, configDir: dir });
    expect(problems.map((p) => `${p.file}:${p.line} ${p.key}`)).toEqual([
      'ed.csv:5 ',
      'ed.csv:1 colour',
      'ed.csv:2 end',
      'ed.csv:3 person',
      'ed.csv:4 person',
    ]);
  });

  it('refuses a CSV without the columns it needs', () => {
    writeFileSync(join(dir, 'ed.csv'), 'who,role\nrn-chen,nurse\n');
    const { problems } = loadCoverage(new YamlFile('c.yaml', 'coverage:\n  csv: [ed.csv]\n'), {
      configDir: dir,
    });
    expect(problems).toEqual([
      {
        file: 'ed.csv',
        line: 1,
        key: 'person, unit',
        message: expect.stringMatching(/needs the column\(s\) person, unit/),
      },
    ]);
  });

  it('refuses coverage: in two files', () => {
    writeFileSync(join(dir, 'a.yaml'), 'coverage:\n  staff: []\n');
    writeFileSync(join(dir, 'b.yaml'), '\n\ncoverage:\n  staff: []\n');
    const { problems } = loadCoverage(dir);
    expect(problems).toEqual([
      { file: 'b.yaml', line: 3, key: 'coverage', message: expect.stringMatching(/already set in a.yaml/) },
    ]);
  });
});
