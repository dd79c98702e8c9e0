import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { YamlFile } from '../kit/yaml-files.ts';
import { loadSchedules } from './load.ts';

const zone = 'America/New_York';
const people = new Set(['p-ahmed', 'p-brandt', 'p-chu', 'ph-cards-fellow']);
const knownPeople = (id: string) => people.has(id);
const now = new Date('2026-11-22T15:00:00Z');

const goodYaml = `
schedules:
  assignments:
    - id: hospitalist-oncall
      name: Hospitalist on call
      type: oncall
      department: Hospital Medicine
    - id: cardiology-oncall
      name: Cardiology on call
      type: oncall
      department: Cardiology
  shifts:
    - assignment: cardiology-oncall
      person: ph-cards-fellow
      start: '2026-10-31 19:00'
      end: '2026-11-01 07:00'
      callOrder: 1
      notes: night across the fall-back change
    - assignment: cardiology-oncall
      person: p-chu
      start: '2026-11-26 07:00'
      end: '2026-11-27 07:00'
      published: false
  csv:
    - extra/hospitalist.csv
  rotations:
    - assignment: hospitalist-oncall
      people: [p-ahmed, p-brandt]
      shiftHours: 12
      handoff: '07:00'
      callOrder: 1
      daysBefore: 1
      daysAfter: 1
`;

const goodCsv = [
  'assignment,person,start,end,call_order,notes,published',
  'hospitalist-oncall,p-chu,2026-11-23 07:00,2026-11-23 19:00,2,"Backup, covers ""4 West"" too",yes',
  'hospitalist-oncall,p-chu,2026-11-24 07:00,2026-11-24 19:00,2,"two',
  'lines",no',
  '',
].join('\r\n');

describe('loadSchedules', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-sched-load-'));
    mkdirSync(join(dir, 'extra'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads assignments, local-time shifts, CSV shifts with quotes, and the rotation, by source', () => {
    writeFileSync(join(dir, 'schedules.yaml'), goodYaml);
    writeFileSync(join(dir, 'other.yaml'), 'site:\n  name: not ours\n');
    writeFileSync(join(dir, 'extra', 'hospitalist.csv'), goodCsv);
    const { value, problems } = loadSchedules(dir, { zone, knownPeople, now });
    expect(problems).toEqual([]);
    expect(value.assignments.map((a) => a.id)).toEqual(['hospitalist-oncall', 'cardiology-oncall']);
    expect([...value.sources.keys()]).toEqual(['yaml', 'csv:extra/hospitalist.csv', 'demo']);

    const [night, draft] = value.sources.get('yaml')!;
    expect(night.start.toISOString()).toBe('2026-10-31T23:00:00.000Z');
    expect(night.end.toISOString()).toBe('2026-11-01T12:00:00.000Z'); // 13 real hours
    expect(night.notes).toBe('night across the fall-back change');
    expect(draft.published).toBe(false);

    const csv = value.sources.get('csv:extra/hospitalist.csv')!;
    expect(csv).toHaveLength(2);
    expect(csv[0]).toMatchObject({
      personId: 'p-chu',
      callOrder: 2,
      notes: 'Backup, covers "4 West" too',
      published: true,
      start: new Date('2026-11-23T12:00:00Z'),
      source: 'csv:extra/hospitalist.csv',
    });
    expect(csv[1].notes).toBe('two\r\nlines');
    expect(csv[1].published).toBe(false);

    // 3 local days of 12-hour shifts around 22 November.
    expect(value.sources.get('demo')).toHaveLength(6);
    expect(value.rotations[0].handoffMinutes).toBe(420);
  });

  it('reports every problem in the YAML with file, line and key', () => {
    const bad = `schedules:
  assignments:
    - id: icu
      name: ICU
      type: oncal
    - id: rrt
      name: Rapid response
      type: team
      colour: red
    - id: rrt
      name: Again
      type: team
  shifts:
    - assignment: nowhere
      person: p-nobody
      start: '2026-03-08 02:30'
      end: '2026-03-08 01:00'
      callOrder: 0
    - assignment: rrt
      person: p-ahmed
      start: 2026-11-22
      end: '2026-11-23 07:00'
  csv:
    - missing.csv
  rotations:
    - assignment: rrt
      people: [p-ahmed, 12345]
      shiftHours: 10
      handoff: '7h'
  extra: 1
`;
    const file = new YamlFile('schedules.yaml', bad);
    const { problems } = loadSchedules(file, { zone, knownPeople, now, configDir: dir });
    const found = problems.map((p) => `${p.line} ${p.key}: ${p.message}`);
    expect(found).toEqual([
      '30 schedules.extra: is not a known key (known: assignments, shifts, csv, rotations)',
      '5 schedules.assignments.0.type: must be one of oncall, team, role',
      '9 schedules.assignments.1.colour: is not a known key (known: id, name, type, department)',
      '10 schedules.assignments.2.id: duplicates assignment rrt',
      '14 schedules.shifts.0.assignment: names no assignment: nowhere',
      '15 schedules.shifts.0.person: names nobody in the directory: p-nobody',
      '16 schedules.shifts.0.start: 2026-03-08 02:30 does not exist in America/New_York: the clocks skip it (daylight saving)',
      '18 schedules.shifts.0.callOrder: must be a whole number from 1 (first call) to 99',
      '21 schedules.shifts.1.start: 2026-11-22 is not a time; write it as YYYY-MM-DD HH:mm',
      expect.stringMatching(/^24 schedules\.csv\.0: cannot be read: ENOENT/),
      "27 schedules.rotations.0.people.1: must be text: put it in quotes ('12345') so YAML keeps every digit",
      '28 schedules.rotations.0.shiftHours: must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)',
      "29 schedules.rotations.0.handoff: must be a local time of day in quotes, e.g. '07:00'",
    ]);
    expect(problems.every((p) => p.file === 'schedules.yaml')).toBe(true);
  });

  it('reports CSV problems at the CSV file, the row line and the column', () => {
    writeFileSync(join(dir, 'schedules.yaml'), goodYaml);
    writeFileSync(
      join(dir, 'extra', 'hospitalist.csv'),
      [
        'assignment,person,start,end,call_order',
        'hospitalist-oncall,p-ahmed,2026-11-23 07:00,2026-11-23 19:00,first',
        '"multi',
        'line",p-ahmed,2026-11-23 07:00,2026-11-23 19:00,1',
        'hospitalist-oncall,p-ahmed,2026-11-23 07:00',
        'hospitalist-oncall,p-zed,2026-11-23 19:00,2026-11-23 07:00,1',
        'hospitalist-oncall,p-ahmed,2026-11-23 07:00,2026-11-23 19:00,1',
        'hospitalist-oncall,p-ahmed,2026-11-23 07:00,2026-11-23 19:00,1',
      ].join('\n'),
    );
    const { problems, value } = loadSchedules(dir, { zone, knownPeople, now });
    expect(problems.map((p) => `${p.file}:${p.line} ${p.key}: ${p.message}`)).toEqual([
      'extra/hospitalist.csv:2 call_order: must be a whole number from 1 (first call) to 99',
      'extra/hospitalist.csv:3 assignment: names no assignment: multi\nline',
      'extra/hospitalist.csv:5 : has 3 fields; the header has 5',
      'extra/hospitalist.csv:6 person: names nobody in the directory: p-zed',
      'extra/hospitalist.csv:6 end: must be after the start (2026-11-23 19:00 EST)',
      'extra/hospitalist.csv:8 : repeats an earlier row (same shift twice)',
    ]);
    expect(value.sources.get('csv:extra/hospitalist.csv')).toHaveLength(1);
  });

  it('refuses a CSV whose header lacks a required column or has an unknown one', () => {
    writeFileSync(join(dir, 'schedules.yaml'), goodYaml);
    writeFileSync(join(dir, 'extra', 'hospitalist.csv'), 'assignment,person,begin,end\nx,y,z,w\n');
    const { problems } = loadSchedules(dir, { zone, knownPeople, now });
    expect(problems.map((p) => `${p.line} ${p.key}: ${p.message}`)).toEqual([
      '1 begin: is not a known column',
      '1 start: column is missing from the header',
    ]);
  });

  it('reports a syntax error, a bad zone, and a key set in two files', () => {
    const broken = new YamlFile('schedules.yaml', 'schedules:\n  assignments: [\n');
    expect(loadSchedules(broken, { zone, knownPeople }).problems[0]).toMatchObject({
      file: 'schedules.yaml',
    });
    expect(loadSchedules(broken, { zone: 'Mars/Olympus', knownPeople }).problems).toEqual([
      { file: 'site', key: 'site.timezone', message: 'Mars/Olympus is not an IANA time zone' },
    ]);
    writeFileSync(join(dir, 'a.yaml'), 'schedules: {}\n');
    writeFileSync(join(dir, 'b.yaml'), '\nschedules: {}\n');
    expect(loadSchedules(dir, { zone, knownPeople }).problems).toEqual([
      {
        file: 'b.yaml',
        line: 2,
        key: 'schedules',
        message: 'already set in a.yaml; a top-level key lives in one file',
      },
    ]);
  });

  it('gives an empty schedule when no file holds schedules:', () => {
    writeFileSync(join(dir, 'site.yaml'), 'site: {}\n');
    const { value, problems } = loadSchedules(dir, { zone, knownPeople });
    expect(problems).toEqual([]);
    expect(value.assignments).toEqual([]);
    expect(value.sources.size).toBe(0);
  });
});
