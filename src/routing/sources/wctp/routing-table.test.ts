import { describe, expect, it } from 'vitest';
import { Directory } from '../../../directory/directory.ts';
import { ConfigError } from '../../../kit/config-errors.ts';
import { YamlFile } from '../../../kit/yaml-files.ts';
import { WctpAddressBook } from './address-book.ts';
import { readNurseCall } from './nurse-call.ts';
import { compileRoutingTable, type WctpRoutingSettings } from './routing-table.ts';

const yaml = `wctp:
  recipients:
    - { match: '{unit}-{room}-{bed}-{event}', nurseCall: true, callback: '7{room}' }
    - { match: 'TELE-*', nurseCall: true, unit: CCU }
    - { match: RRT, to: { group: rrt } }
  events:
    - { id: code, words: [code blue], priority: urgent, to: { group: rrt } }
    - { id: bathroom, words: [bathroom, bath], priority: high }
`;

function table(text = yaml) {
  const file = new YamlFile('wctp.yaml', text);
  const wctp = (file.value as { wctp: Partial<WctpRoutingSettings> }).wctp;
  return compileRoutingTable(
    {
      recipients: wctp.recipients ?? [],
      events: wctp.events ?? [],
      nurseCall: { techRole: 'tech', nurseRole: 'nurse' },
    },
    file,
  );
}

const directory = new Directory(
  [
    {
      id: 'p-a',
      name: 'A',
      placeholder: false,
      ids: { npi: '123' },
      contacts: [
        { kind: 'pager', address: '617-555-0199' },
        { kind: 'sip', address: 'sip:a@rgh.example' },
      ],
    },
  ],
  [{ id: 'rrt', name: 'RRT', members: ['p-a'], contacts: [] }],
);

describe('WCTP routing table', () => {
  it('captures unit, room, bed and event from a nurse-call address, and fills the call-back number', () => {
    const book = new WctpAddressBook(
      table,
      () => directory,
      () => false,
    );
    expect(book.lookup('4w-401-A-bath')).toMatchObject({
      nurseCall: true,
      location: { unit: '4w', room: '401', bed: 'A' },
      event: 'bath',
      callback: '7401',
      ruleId: 'wctp:{unit}-{room}-{bed}-{event}',
    });
    expect(book.lookup('TELE-anything at all')).toMatchObject({ location: { unit: 'CCU' } });
  });

  it('falls back to the directory: crosswalk id, pager number, group, assignment, device address', () => {
    const book = new WctpAddressBook(
      table,
      () => directory,
      (id) => id === 'hospitalist',
    );
    expect(book.lookup('123')?.to).toMatchObject([{ kind: 'person', id: 'p-a' }]);
    expect(book.lookup('+1 617 555 0199')?.to).toMatchObject([{ kind: 'pager' }]);
    expect(book.lookup('RRT')?.to).toMatchObject([{ kind: 'group', id: 'rrt' }]);
    expect(book.lookup('hospitalist')?.to).toMatchObject([
      { kind: 'onCall', assignment: 'hospitalist', order: 'first' },
    ]);
    expect(book.lookup('SIP:A@rgh.example')?.to).toMatchObject([{ kind: 'person', id: 'p-a' }]);
    expect(book.lookup('nobody')).toBeUndefined();
  });

  it('reports every bad entry at once, with file and line', () => {
    const bad = `wctp:
  recipients:
    - { match: '{ward}-{bed}', nurseCall: true }
    - { match: X }
    - { match: Y, to: { group: rrt }, nurseCall: true, priority: loud }
  events:
    - { id: 'a b', words: [x], priority: high }
`;
    try {
      table(bad);
      expect.fail('should throw');
    } catch (e) {
      const problems = (e as ConfigError).problems;
      expect(e).toBeInstanceOf(ConfigError);
      expect(problems.map((p) => `${p.line}:${p.key}`)).toEqual([
        '3:wctp.recipients.0.match',
        '4:wctp.recipients.1',
        '5:wctp.recipients.2',
        '5:wctp.recipients.2.priority',
        '7:wctp.events.0.id',
      ]);
    }
  });
});

describe('reading a nurse call', () => {
  const t = table();
  const book = new WctpAddressBook(
    () => t,
    () => directory,
    () => false,
  );
  it('names the event by whole words of the text, the bed and the station from the text', () => {
    const dest = book.lookup('TELE-9')!;
    expect(readNurseCall('Room 12-B bathroom, call back 4412', dest, t)).toMatchObject({
      event: { id: 'bathroom' },
      namedBy: "the text says 'bathroom'",
      location: { unit: 'CCU', room: '12', bed: 'B' },
      callback: '4412',
    });
    // 'bath' inside 'bathtub' is not the word 'bath'.
    expect(readNurseCall('bathtub leak Rm 3 Bed 2', dest, t).event).toBeUndefined();
    expect(readNurseCall('CODE BLUE rm 3', dest, t).event?.id).toBe('code');
  });
  it('the recipientID part wins over the text', () => {
    const dest = book.lookup('4W-401-A-code')!;
    expect(readNurseCall('Room 999 bathroom', dest, t)).toMatchObject({
      event: { id: 'code' },
      location: { unit: '4W', room: '401', bed: 'A' },
      callback: '7401',
    });
  });
});
