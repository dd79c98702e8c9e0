import { describe, expect, it } from 'vitest';
import type { Site } from '../config/site.ts';
import type { PageOrder } from '../delivery/paging/carriers.ts';
import { Directory } from '../directory/directory.ts';
import type { ScheduleChange, Shift } from '../store/schedule-port.ts';
import { affectedPages, crosswalkLookup } from './schedule-sync.ts';

const person = (id: string, uniqueId: string, contacts: Array<{ kind: string; address: string }>) => ({
  id,
  name: id,
  ids: { uniqueId },
  contacts,
});

const directory = new Directory([
  person('p-one', 'U1', [{ kind: 'pager', address: '617-555-0101' }]),
  person('p-two', 'U2', [
    { kind: 'email', address: 'two@test.example' },
    { kind: 'app', address: 'two' },
  ]),
  person('p-twin', 'U2', []),
] as never);
const site = {
  directory,
  schedules: { assignments: [{ id: 'hospitalist', name: 'Hospitalist on call' }] },
} as unknown as Site;
const paging = {
  carriers: [
    { name: 'metro', kind: 'wctp', url: 'http://127.0.0.1:9/wctp' },
    { name: 'mail', kind: 'smtp', host: '127.0.0.1', port: 9, domain: 'pager.example' },
  ],
  defaultCarrier: 'metro',
  numbers: [],
} as never;

const H = 3_600_000;
const at = new Date('2026-11-22T12:00:00Z');
const shift = (personId: string, startH: number): Shift => ({
  id: 's1',
  assignmentId: 'hospitalist',
  personId,
  start: new Date(at.getTime() + startH * H),
  end: new Date(at.getTime() + (startH + 12) * H),
  callOrder: 1,
  notes: '',
  published: true,
  source: 'amion',
});
const change = (over: Partial<ScheduleChange>): ScheduleChange => ({
  seq: 7,
  at,
  source: 'amion',
  shiftId: 's1',
  assignmentId: 'hospitalist',
  kinds: ['person-changed'],
  before: shift('p-one', 2),
  after: shift('p-two', 2),
  actor: 'sync:amion',
  ...over,
});

describe('schedule sync wiring', () => {
  it('finds every person a crosswalk id names, so two are refused rather than one guessed', () => {
    const find = crosswalkLookup(() => directory);
    expect(find('uniqueId', ' u1 ')).toEqual(['p-one']);
    expect(find('uniqueId', 'U2')).toEqual(['p-two', 'p-twin']);
    expect(find('uniqueId', 'U3')).toEqual([]);
    expect(find('id', 'p-one')).toEqual(['p-one']);
    expect(find('id', 'p-nobody')).toEqual([]);
  });

  it('pages the outgoing and the incoming clinician of a swap, through their own carriers', () => {
    const pages = affectedPages(change({}), site, paging, 'America/New_York');
    expect(pages.map((p) => [p.channel, p.target, (p.payload as PageOrder).text])).toEqual([
      [
        'page',
        'metro:617-555-0101',
        'Schedule change: you are no longer on Hospitalist on call 2026-11-22 09:00 EST to 2026-11-22 21:00 EST.',
      ],
      [
        'page',
        'mail:two@test.example',
        'Schedule change: you are now on Hospitalist on call 2026-11-22 09:00 EST to 2026-11-22 21:00 EST (call order 1).',
      ],
    ]);
  });

  it('tells nobody of a shift that is already over, and only the holder of a moved shift', () => {
    expect(
      affectedPages(change({ before: shift('p-one', -30), after: shift('p-two', -30) }), site, paging, 'UTC'),
    ).toEqual([]);
    const moved = affectedPages(
      change({ kinds: ['time-changed'], before: shift('p-two', 2), after: shift('p-two', 3) }),
      site,
      paging,
      'UTC',
    );
    expect(moved.map((p) => (p.payload as PageOrder).text)).toEqual([
      'Schedule change: your shift changed: Hospitalist on call 2026-11-22 15:00 UTC to 2026-11-23 03:00 UTC (call order 1).',
    ]);
  });
});
