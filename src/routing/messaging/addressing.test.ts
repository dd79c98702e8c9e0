import { describe, expect, it } from 'vitest';
import type { OnCallEntry, RoutingModel } from '../model.ts';
import { RecipientResolver } from '../recipient-resolver.ts';
import { MessageAddressing } from './addressing.ts';

const at = new Date('2026-11-22T14:30:00Z');
const shift = (personId: string, callOrder: number): OnCallEntry => ({
  personId,
  callOrder,
  shiftId: `${personId}-${callOrder}`,
  start: new Date('2026-11-22T12:00:00Z'),
  end: new Date('2026-11-23T00:00:00Z'),
});

const people: Record<string, { name: string; reachable: boolean }> = {
  'ph-fellow': { name: 'Cardiology fellow', reachable: false },
  'p-farouk': { name: 'Dr. Farouk', reachable: true },
  'p-ahmed': { name: 'Dr. Ahmed', reachable: true },
};

const model: RoutingModel = {
  zone: 'America/New_York',
  personName: (id) => people[id]?.name,
  groupMembers: (id) => (id === 'rapid-response' ? ['p-ahmed', 'p-farouk'] : undefined),
  peopleByPager: () => [],
  isReachable: (id) => people[id]?.reachable ?? false,
  onCall: async (assignment) =>
    assignment === 'cardiology'
      ? [shift('p-farouk', 2), shift('ph-fellow', 1)]
      : assignment === 'nights'
        ? [shift('ph-fellow', 1)]
        : [],
  assignmentName: async (id) =>
    id === 'cardiology' ? 'Cardiology' : id === 'nights' ? 'Night float' : undefined,
  careTeam: async (mrn, role) =>
    mrn === 'MRN1' && role === 'attending'
      ? [{ role: 'attending', personId: 'p-ahmed', provider: 'AHMED, S (1234)' }]
      : [],
  covering: async () => [],
  patientLocation: async () => undefined,
};

const addressing = new MessageAddressing(model, new RecipientResolver(model), (id) =>
  id === 'rapid-response' ? 'Rapid response team' : undefined,
);

describe('whom a message goes to', () => {
  it('passes over a call order nobody can be reached in, and says why', async () => {
    const r = await addressing.resolve({ kind: 'onCall', assignment: 'cardiology' }, { at });
    expect(r.addressedTo).toBe('on call for Cardiology');
    expect(r.recipients).toEqual([
      {
        personId: 'p-farouk',
        reason:
          'on call for Cardiology, second call, 07:00–19:00, because first call (Cardiology fellow) has no device',
      },
    ]);
  });

  it('finds nobody when only an unreachable placeholder is on call, or nobody at all', async () => {
    const nights = await addressing.resolve({ kind: 'onCall', assignment: 'nights' }, { at });
    expect(nights.recipients).toEqual([]);
    expect(nights.notes).toEqual([
      'nobody reachable on call for Night float: first call (Cardiology fellow) has no device',
    ]);
    const empty = await addressing.resolve({ kind: 'onCall', assignment: 'ent' }, { at });
    expect(empty.recipients).toEqual([]);
    expect(empty.notes[0]).toMatch(/^nobody on call for ent/);
  });

  it("reaches the patient's attending, a group and a person, each with a reason", async () => {
    const attending = await addressing.resolve(
      { kind: 'careTeam', role: 'attending' },
      { at, patient: { mrn: 'MRN1', name: 'DOE, JANE' } },
    );
    expect(attending).toMatchObject({
      addressedTo: 'attending for DOE, JANE',
      recipients: [{ personId: 'p-ahmed', reason: "attending on the patient's care team (AHMED, S (1234))" }],
    });
    const noPatient = await addressing.resolve({ kind: 'careTeam', role: 'attending' }, { at });
    expect(noPatient.recipients).toEqual([]);
    const group = await addressing.resolve({ kind: 'group', id: 'rapid-response' }, { at });
    expect(group.addressedTo).toBe('Rapid response team');
    expect(group.recipients.map((r) => r.personId)).toEqual(['p-ahmed', 'p-farouk']);
    const person = await addressing.resolve({ kind: 'person', id: 'p-ahmed' }, { at });
    expect(person).toMatchObject({
      addressedTo: 'Dr. Ahmed',
      recipients: [{ personId: 'p-ahmed', reason: 'named by the sender' }],
    });
    expect((await addressing.resolve({ kind: 'person', id: 'p-ghost' }, { at })).recipients).toEqual([]);
  });
});
