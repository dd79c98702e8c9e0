import { describe, expect, it } from 'vitest';
import type { OverlayPerson } from '../store/directory-port.ts';
import { Directory } from './directory.ts';
import { withOverlay } from './overlay.ts';

const at = new Date('2026-12-01T08:00:00Z');
const base = new Directory(
  [
    {
      id: 'p-kim',
      name: 'Kim',
      title: 'RN',
      placeholder: false,
      ids: { upn: 'kim@h.test', npi: '1234567890' },
      contacts: [
        { kind: 'app', address: 'rn.kim' },
        { kind: 'pager', address: '555-0101' },
      ],
    },
  ],
  [{ id: 'icu', name: 'ICU', members: ['p-kim', 'p-new'], contacts: [] }],
);

const overlayPerson = (over: Partial<OverlayPerson>): OverlayPerson => ({
  id: 'p-kim',
  name: null,
  title: null,
  department: null,
  ids: {},
  attributes: {},
  active: true,
  externalKey: null,
  provenance: {},
  version: 1,
  createdAt: at,
  updatedAt: at,
  ...over,
});

describe('the directory with the overlay on top', () => {
  it('replaces fields the overlay set and the contact kinds it gives; the rest stays as configured', () => {
    const d = withOverlay(base, {
      people: [
        overlayPerson({
          name: 'Kim Lee',
          ids: { employeeId: 'E1' },
          provenance: {
            name: { source: 's', at },
            'ids.employeeId': { source: 's', at },
            'ids.npi': { source: 's', at },
          },
        }),
      ],
      contacts: [
        { personId: 'p-kim', kind: 'pager', address: '555-0199', origin: { source: 'import:hr', at } },
      ],
      groups: [],
    });
    expect(d.person('p-kim')).toMatchObject({
      name: 'Kim Lee',
      title: 'RN',
      ids: { upn: 'kim@h.test', employeeId: 'E1' },
      contacts: [
        { kind: 'app', address: 'rn.kim' },
        { kind: 'pager', address: '555-0199' },
      ],
    });
    expect(d.person('p-kim')?.ids.npi).toBeUndefined();
    expect(d.findByPagerNumber('555-0101').people).toEqual([]);
    expect(d.findByPagerNumber('555-0199').people.map((p) => p.id)).toEqual(['p-kim']);
  });

  it('adds people only in the overlay, and keeps a deactivated person named but unreachable and unfindable', () => {
    const d = withOverlay(base, {
      people: [
        overlayPerson({ id: 'p-new', name: 'New Nurse', ids: { upn: 'new@h.test' } }),
        overlayPerson({ active: false }),
      ],
      contacts: [
        { personId: 'p-new', kind: 'email', address: 'new@h.test', origin: { source: 'scim:entra', at } },
      ],
      groups: [
        {
          id: 'g-1',
          name: 'Admins',
          externalKey: null,
          roles: ['admin'],
          members: ['p-new'],
          attributes: {},
          origin: { source: 'scim:entra', at },
          version: 1,
          createdAt: at,
          updatedAt: at,
        },
      ],
    });
    expect(d.findByExternalId('upn', 'new@h.test')?.name).toBe('New Nurse');
    expect(d.isReachable('p-new')).toBe(true);
    expect(d.person('p-kim')?.name).toBe('Kim');
    expect(d.isDeactivated('p-kim')).toBe(true);
    expect(d.isReachable('p-kim')).toBe(false);
    expect(d.contacts('p-kim')).toEqual([]);
    expect(d.findByExternalId('upn', 'kim@h.test')).toBeUndefined();
    expect(d.findByExternalId('id', 'p-kim')).toBeUndefined();
    expect(d.members('icu').map((p) => p.id)).toEqual(['p-new']);
    expect(d.group('g-1')?.members).toEqual(['p-new']);
  });
});
