import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { YamlFile } from '../kit/yaml-files.ts';
import { loadDirectory } from './load.ts';

describe('loadDirectory', () => {
  it('reports every problem with file, line and key, and keeps the valid records', () => {
    const text = `directory:
  people:
    - id: p-good
      name: Dr. Good
      contacts: [{ kind: app, address: dr.good }]
    - id: p-good
      name: Same id
    - id: p-bad
      name: Dr. Bad
      shoeSize: 11
      ids: { npi: 1234567890, ssn: 'no' }
      contacts:
        - { kind: fax, address: '555-0100' }
        - { kind: pager, address: 'call me' }
        - { kind: email, address: bad@riverside.example }
        - { kind: email, address: BAD@riverside.example }
    - id: p-twin
      name: Twin
      ids: { custom1: LB-1 }
    - id: p-twin2
      name: Twin two
      ids: { custom1: lb-1 }
    - id: ph-empty
      name: Empty slot
      placeholder: yes please
    - id: ph-mute
      name: Mute slot
      placeholder: true
    - id: has space
      title: MD
  groups:
    - id: g-ops
      name: Operators
      members: [p-good, p-ghost, p-good]
    - id: g-none
      name: Nobody
  teams: []
`;
    const { value, problems } = loadDirectory(new YamlFile('directory.yaml', text));
    expect(problems.map((p) => `${p.file}:${p.line} ${p.key}: ${p.message}`)).toEqual([
      'directory.yaml:37 directory.teams: is not a known key (known: people, groups)',
      'directory.yaml:6 directory.people.1.id: duplicates the id p-good (people and groups share one set of ids)',
      'directory.yaml:10 directory.people.2.shoeSize: is not a known key (known: id, name, title, department, placeholder, ids, contacts)',
      'directory.yaml:11 directory.people.2.ids.ssn: is not a known key (known: employeeId, uniqueId, custom1, custom2, custom3, custom4, abbreviation, npi, ehrUser, epicSer, upn, ccc)',
      "directory.yaml:11 directory.people.2.ids.npi: must be text: put it in quotes ('1234567890') so YAML keeps every digit",
      'directory.yaml:13 directory.people.2.contacts.0.kind: must be one of app, pager, phone, sip, email',
      'directory.yaml:14 directory.people.2.contacts.1.address: is not a pager number such as 555-0101',
      'directory.yaml:16 directory.people.2.contacts.3.address: repeats an earlier email contact',
      'directory.yaml:22 directory.people.4.ids.custom1: lb-1 is already the custom1 of p-twin',
      'directory.yaml:25 directory.people.5.placeholder: must be true or false',
      'directory.yaml:26 directory.people.6.contacts: a placeholder needs at least one contact point (that is its use)',
      'directory.yaml:29 directory.people.7.id: must be letters, digits, and . _ : - (no spaces)',
      'directory.yaml:29 directory.people.7.name: is required',
      'directory.yaml:34 directory.groups.0.members.1: names nobody in people: p-ghost',
      'directory.yaml:34 directory.groups.0.members.2: lists p-good twice',
      'directory.yaml:35 directory.groups.1: has neither members nor contacts, so an alert to it would reach nobody',
    ]);
    expect(value.people().map((p) => p.id)).toEqual(['p-good', 'p-twin']);
  });

  it('reads the file that holds directory: from a config folder, and nothing when none does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-dir-'));
    try {
      writeFileSync(join(dir, 'site.yaml'), 'site: {}\n');
      expect(loadDirectory(dir).value.people()).toEqual([]);
      writeFileSync(
        join(dir, 'people.yaml'),
        'directory:\n  people:\n    - { id: p-a, name: A, contacts: [{ kind: sip, address: "sip:a@pbx.example" }] }\n',
      );
      const { value, problems } = loadDirectory(dir);
      expect(problems).toEqual([]);
      expect(value.person('p-a')?.contacts).toEqual([{ kind: 'sip', address: 'sip:a@pbx.example' }]);
      writeFileSync(join(dir, 'zz.yaml'), 'directory: {}\n');
      expect(loadDirectory(dir).problems).toEqual([
        {
          file: 'zz.yaml',
          line: 1,
          key: 'directory',
          message: 'already set in people.yaml; a top-level key lives in one file',
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a YAML syntax error with its line', () => {
    const { problems } = loadDirectory(new YamlFile('directory.yaml', 'directory:\n  people: [\n'));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ file: 'directory.yaml' });
    expect(problems[0].line).toBeGreaterThan(0);
  });
});
