import { describe, expect, it } from 'vitest';
import { resolveIdentity, type VerifiedIdentity } from './single-sign-on.ts';

const people: Record<string, { id: string; name: string }> = {
  'upn:kim@hospital.test': { id: 'p-kim', name: 'Nurse Kim' },
  'employeeId:E200': { id: 'p-ana', name: 'Ana Diaz' },
};
const find = (kind: string, value: string) => people[`${kind}:${value}`];

const who = (over: Partial<VerifiedIdentity> = {}): VerifiedIdentity => ({
  subject: 'oidc:1',
  username: 'kim@hospital.test',
  candidates: [{ id: 'upn', value: 'kim@hospital.test' }],
  groups: ['nurses'],
  ...over,
});

describe('resolveIdentity', () => {
  const mapping = { roleMap: { nurses: 'clinician', 'sb-admins': 'admin' } as const };

  it('finds the person through the first candidate that matches and grants the strongest mapped role', () => {
    const r = resolveIdentity(
      who({
        candidates: [
          { id: 'upn', value: 'nobody@x' },
          { id: 'employeeId', value: 'E200' },
        ],
        groups: ['nurses', 'sb-admins', 'unmapped'],
      }),
      mapping,
      find,
    );
    expect(r).toMatchObject({
      ok: true,
      user: { role: 'admin', personId: 'p-ana' },
      person: { name: 'Ana Diaz' },
    });
  });

  it('adds the roles of provisioned (SCIM) groups, and falls back to defaultRole', () => {
    expect(resolveIdentity(who({ groups: [] }), mapping, find, () => ['analyst'])).toMatchObject({
      ok: true,
      user: { role: 'analyst' },
    });
    expect(
      resolveIdentity(who({ groups: [] }), { ...mapping, defaultRole: 'clinician' }, find),
    ).toMatchObject({
      ok: true,
      user: { role: 'clinician', personId: 'p-kim' },
    });
  });

  it('refuses someone with no role, and a clinician the directory does not know; staff need no person', () => {
    expect(resolveIdentity(who({ groups: [] }), mapping, find)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no Switchboard role/),
    });
    const stranger = who({ candidates: [{ id: 'upn', value: 'new@hospital.test' }] });
    expect(resolveIdentity(stranger, mapping, find)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not in the directory/),
    });
    expect(resolveIdentity({ ...stranger, groups: ['sb-admins'] }, mapping, find)).toMatchObject({
      ok: true,
      user: { role: 'admin', username: 'kim@hospital.test' },
      person: null,
    });
  });
});
