/**
 * File export settings in connectors.yaml: every wrong value reported at once, with file, line and key; a
 * delivery to an SFTP server without a pinned host key refused before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { fileExportKinds } from '../../../src/connectors/exports/kinds.ts';
import { loadConnectors } from '../../../src/connectors/settings.ts';
import { YamlFile } from '../../../src/kit/yaml-files.ts';
import { ExportBench, firstSchedule } from './export-hospital.ts';

const load = (yaml: string) =>
  loadConnectors(new YamlFile('connectors.yaml', yaml), {
    kinds: new Map(fileExportKinds.map((k) => [k.kind, k])),
    env: {},
    knownAssignment: () => true,
  });

describe('file export settings', () => {
  it('reports a bad layout, zone, pay period, segment type and unknown option, each at its line and key', () => {
    const { problems } = load(`connectors:
  - id: optime
    kind: epic-optime
    target: /srv/exports
    cadence: daily at 05:00
    options:
      assignmentFields:
        anesthesia-or: { importGroup: OR, resourceType: '1', timeZone: Mars/Olympus }
      layout:
        columns: [{ field: nosuchfield }]
        delimiter: '""'
        dateFormat: "yyyy 'unclosed"
  - id: ukg
    kind: kronos-wfd
    target: /srv/exports
    cadence: daily at 02:00
    options:
      payPeriod: { anchor: 'last monday', days: 14 }
      assignmentFields:
        hospitalist: { segmentType: Lunch, comment: Import }
      colour: blue
`);
    const byKey = Object.fromEntries(problems.map((p) => [p.key, `${p.line}: ${p.message}`]));
    expect(byKey['connectors.0.options.assignmentFields.anesthesia-or.timeZone']).toMatch(
      /^8: Mars\/Olympus is not an IANA/,
    );
    expect(byKey['connectors.0.options.layout.columns.0.field']).toMatch(/^10: unknown field nosuchfield/);
    expect(byKey['connectors.0.options.layout.delimiter']).toMatch(/^11: must be one character/);
    expect(byKey['connectors.0.options.layout.dateFormat']).toMatch(/^12: .*never closed/);
    expect(byKey['connectors.1.options.payPeriod']).toMatch(/^18: payPeriod.anchor must be a date/);
    expect(byKey['connectors.1.options.assignmentFields.hospitalist.segmentType']).toMatch(
      /^20: must be Required, Transfer or Break/,
    );
    expect(byKey['connectors.1.options.colour']).toMatch(/^21: is not a known key/);
  });

  it('refuses to deliver to an SFTP server whose host key is not pinned, permanently and before connecting', async () => {
    const bench = new ExportBench();
    try {
      await bench.seed(firstSchedule, new Date('2026-10-30T12:00:00Z'));
      const s = bench.settings(
        `
connectors:
  - id: epic
    kind: epic-on-call-finder
    target: sftp://epic@127.0.0.1:1/inbound
    credentials: { password: '\${EPIC_PASSWORD}' }
    cadence: every 5 minutes
`,
        { EPIC_PASSWORD: 'x' },
      );
      const err = await bench.run(s, new Date('2026-11-01T14:00:00Z')).catch((e) => e);
      expect(err.permanent).toBe(true);
      expect(err.message).toMatch(/hostKey: the server key SHA256 fingerprint is required/);
    } finally {
      await bench.close();
    }
  });
});
