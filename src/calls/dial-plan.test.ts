import { describe, expect, it } from 'vitest';
import type { RoutingModel } from '../routing/model.ts';
import { RecipientResolver } from '../routing/recipient-resolver.ts';
import { compileDialPlan, DialPlan, normaliseDialled } from './dial-plan.ts';
import type { DialPlanEntryConfig } from './sip-config.ts';

const AT = new Date('2026-11-22T15:00:00Z');
let onCallQueries = 0;

/** A model with the hospitalist rota (order 1: one, order 2: two and three), a group and a bed's nurse. */
const model: RoutingModel = {
  personName: (id: string) => (['p-one', 'p-two', 'p-three', 'rn-day'].includes(id) ? id : undefined),
  groupMembers: (id: string) => (id === 'rrt' ? ['p-two', 'p-one'] : undefined),
  peopleByPager: () => [],
  isReachable: () => true,
  onCall: async (assignment: string) => {
    onCallQueries++;
    if (assignment !== 'hospitalist') return [];
    const entry = (personId: string, callOrder: number) => ({
      personId,
      callOrder,
      shiftId: `s-${personId}`,
      start: new Date('2026-11-22T12:00:00Z'),
      end: new Date('2026-11-23T12:00:00Z'),
    });
    return [entry('p-one', 1), entry('p-two', 2), entry('p-three', 2)];
  },
  careTeam: async () => [],
  patientLocation: async () => undefined,
  covering: async (location: { unit?: string; bed?: string }, role: string) =>
    location.unit === '4W' && location.bed === 'A' && role === 'nurse' ? ['rn-day'] : [],
} as unknown as RoutingModel;

const entry = (e: Partial<DialPlanEntryConfig> & { id: string }): DialPlanEntryConfig => ({
  numbers: [],
  recipients: [],
  ring: 'sequential',
  trunk: false,
  ...e,
});

const plan = (cacheMs = 0) =>
  new DialPlan(
    compileDialPlan(
      [
        entry({ id: 'hospitalist', numbers: ['4100'], recipients: [{ onCall: 'hospitalist' }] }),
        entry({
          id: 'all',
          numbers: ['4102'],
          recipients: [{ onCall: 'hospitalist', order: 'all' }],
          ring: 'parallel',
        }),
        entry({ id: 'rrt', numbers: ['5555'], recipients: [{ group: 'rrt' }], noAnswerSeconds: 30 }),
        entry({
          id: 'bed',
          numbers: ['7401'],
          recipients: [{ coverage: 'nurse' }],
          location: { unit: '4W', room: '401', bed: 'A' },
        }),
        entry({ id: 'out', pattern: '9[0-9]{7,15}', trunk: true, stripPrefix: '9' }),
      ],
      20,
    ),
    new RecipientResolver(model),
    cacheMs,
  );

const people = (stages: { personId: string }[][]) => stages.map((s) => s.map((t) => t.personId));

describe('dial plan', () => {
  it('sequential on-call: one stage per call order (people sharing an order ring together), moving on along it', async () => {
    const route = await plan().route('4100', AT);
    expect(route).toMatchObject({ kind: 'people', id: 'hospitalist', noAnswerMs: 20_000 });
    if (route?.kind !== 'people') throw new Error('expected people');
    expect(people(route.stages)).toEqual([['p-one'], ['p-two', 'p-three']]);
    expect(route.stages[0][0].reason).toContain('first call');
  });

  it('parallel: everyone at once, in one stage', async () => {
    const route = await plan().route('4102', AT);
    if (route?.kind !== 'people') throw new Error('expected people');
    expect(people(route.stages)).toEqual([['p-one', 'p-two', 'p-three']]);
  });

  it('a group rings member after member; the entry keeps its own no-answer time', async () => {
    const route = await plan().route('5555', AT);
    if (route?.kind !== 'people') throw new Error('expected people');
    expect(people(route.stages)).toEqual([['p-two'], ['p-one']]);
    expect(route.noAnswerMs).toBe(30_000);
  });

  it('the nurse covering a bed', async () => {
    const route = await plan().route('7401', AT);
    if (route?.kind !== 'people') throw new Error('expected people');
    expect(people(route.stages)).toEqual([['rn-day']]);
  });

  it('a pattern sends the number out over the trunk without its prefix; unknown numbers have no route', async () => {
    expect(await plan().route('9-617-555-0199', AT)).toEqual({
      kind: 'trunk',
      id: 'out',
      number: '6175550199',
    });
    expect(await plan().route('1234', AT)).toBeUndefined();
    expect(normaliseDialled('%2B1%20(617)%20555-0100')).toBe('+16175550100');
  });

  it('caches a route for a second of "now", and not for another time', async () => {
    const cached = plan(1000);
    const before = onCallQueries;
    await cached.route('4100', AT);
    await cached.route('4100', new Date(AT.getTime() + 500));
    expect(onCallQueries - before).toBe(9); // call orders 1..9, asked once
    await cached.route('4100', new Date(AT.getTime() + 1500));
    expect(onCallQueries - before).toBe(18);
    await cached.route('4100', new Date(AT.getTime() - 60_000));
    expect(onCallQueries - before).toBe(27);
  });

  it('refuses an entry with neither recipients nor trunk, and a bad pattern', () => {
    expect(() => compileDialPlan([entry({ id: 'x', numbers: ['1'] })], 20)).toThrow(/needs recipients/);
    expect(() => compileDialPlan([entry({ id: 'y', pattern: '(', trunk: true })], 20)).toThrow(/pattern/);
  });
});
