import { describe, expect, it } from 'vitest';
import { YamlFile } from '../kit/yaml-files.ts';
import { Directory } from './directory.ts';
import { loadDirectory } from './load.ts';

const yaml = `
directory:
  people:
    - id: p-okafor
      name: Dr. Chidi Okafor
      title: MD
      department: Critical Care
      ids: { employeeId: 'E0042', npi: '1999000042', upn: Chidi.Okafor@riverside.example, custom2: 'LB-77' }
      contacts:
        - { kind: app, address: dr.okafor }
        - { kind: pager, address: '617-555-0142', label: ICU pager }
    - id: ph-cards-fellow
      name: Cardiology fellow on call
      placeholder: true
      contacts:
        - { kind: pager, address: '(617) 555-0199' }
    - id: p-quiet
      name: Pat Quiet
      title: RN
  groups:
    - id: g-operators
      name: Hospital operators
      members: [p-okafor, p-quiet]
      contacts:
        - { kind: pager, address: '1 (617) 555-0142' }
`;

function directory(): Directory {
  const { value, problems } = loadDirectory(new YamlFile('directory.yaml', yaml));
  expect(problems).toEqual([]);
  return value;
}

describe('Directory', () => {
  it('looks people and groups up by id and lists them in file order', () => {
    const d = directory();
    expect(d.person('p-okafor')?.name).toBe('Dr. Chidi Okafor');
    expect(d.person('g-operators')).toBeUndefined();
    expect(d.group('g-operators')?.members).toEqual(['p-okafor', 'p-quiet']);
    expect(d.people().map((p) => p.id)).toEqual(['p-okafor', 'ph-cards-fellow', 'p-quiet']);
    expect(d.groups().map((g) => g.id)).toEqual(['g-operators']);
    expect(d.members('g-operators').map((p) => p.id)).toEqual(['p-okafor', 'p-quiet']);
    expect(d.members('nope')).toEqual([]);
    expect(d.groupsOf('p-quiet').map((g) => g.id)).toEqual(['g-operators']);
  });

  it('keeps a placeholder as a first-class record', () => {
    const fellow = directory().person('ph-cards-fellow');
    expect(fellow).toMatchObject({
      placeholder: true,
      contacts: [{ kind: 'pager', address: '(617) 555-0199' }],
    });
    expect(directory().person('p-okafor')?.placeholder).toBe(false);
  });

  it('finds a person by any crosswalk id, case-insensitively, or by our own id', () => {
    const d = directory();
    expect(d.findByExternalId('npi', '1999000042')?.id).toBe('p-okafor');
    expect(d.findByExternalId('upn', 'chidi.okafor@RIVERSIDE.example')?.id).toBe('p-okafor');
    expect(d.findByExternalId('custom2', ' lb-77 ')?.id).toBe('p-okafor');
    expect(d.findByExternalId('employeeId', '1999000042')).toBeUndefined();
    expect(d.findByExternalId('id', 'p-quiet')?.name).toBe('Pat Quiet');
    expect(d.findByExternalId('any', 'E0042')?.id).toBe('p-okafor');
    expect(d.findByExternalId('any', 'ph-cards-fellow')?.placeholder).toBe(true);
    expect(d.findByExternalId('any', 'nobody')).toBeUndefined();
  });

  it('finds people and groups by pager number whatever the punctuation', () => {
    const d = directory();
    const hit = d.findByPagerNumber('6175550142');
    expect(hit.people.map((p) => p.id)).toEqual(['p-okafor']);
    expect(hit.groups.map((g) => g.id)).toEqual(['g-operators']);
    expect(d.findByPagerNumber('+1 617 555 0199').people.map((p) => p.id)).toEqual(['ph-cards-fellow']);
    expect(d.findByPagerNumber('5550000')).toEqual({ people: [], groups: [] });
  });

  it('says who is reachable and by what', () => {
    const d = directory();
    expect(d.isReachable('p-okafor')).toBe(true);
    expect(d.isReachable('ph-cards-fellow')).toBe(true);
    expect(d.isReachable('p-quiet')).toBe(false);
    expect(d.isReachable('p-unknown')).toBe(false);
    expect(d.contacts('p-okafor', 'app')).toEqual([{ kind: 'app', address: 'dr.okafor' }]);
    expect(d.contacts('p-okafor')).toHaveLength(2);
  });

  it('refuses duplicate ids when built directly', () => {
    const p = { id: 'p-x', name: 'X', placeholder: false, ids: {}, contacts: [] };
    expect(() => new Directory([p, p])).toThrow(/used twice/);
    expect(() => new Directory([p], [{ id: 'p-x', name: 'G', members: [], contacts: [] }])).toThrow(
      /used twice/,
    );
  });
});
