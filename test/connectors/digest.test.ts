import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import type { GraphOptions } from '../../src/connectors/graph/index.ts';
import { TestSmtpServer } from '../../src/delivery/paging/test-carriers.ts';
import {
  type ConnectorHospital,
  connectorHospital,
  connectorSettings,
  H,
  shift,
} from '../support/connectors.ts';
import { FakeGraph } from '../support/fake-graph.ts';

const T0 = Date.parse('2026-12-07T12:00:00Z');

describe('failure digest', () => {
  let h: ConnectorHospital;
  let smtp: TestSmtpServer;
  let graph: FakeGraph;
  afterEach(async () => {
    await h?.close();
    await smtp?.close();
    graph?.close();
  });

  it('mismatched ids and a mailbox Graph does not know: one e-mail per interval to the administrators, listing both', async () => {
    smtp = await TestSmtpServer.start();
    graph = await new FakeGraph().listen();
    graph.unknownMailboxes.add('dr.brennan@riverside.example');
    h = await connectorHospital(
      [
        connectorSettings<GraphOptions>({
          id: 'outlook',
          kind: 'graph',
          personId: 'upn',
          target: graph.baseUrl,
          credentials: { clientId: 'app', clientSecret: 'graph-secret' },
          digestMinutes: 60,
          options: {
            baseUrl: graph.baseUrl,
            tokenUrl: graph.tokenUrl,
            tenant: 't',
            showAs: 'busy',
            categories: [],
            siteName: 'R',
            timeoutMs: 5000,
          },
        }),
      ],
      {
        start: new Date(T0),
        paging: {
          carriers: [
            {
              name: 'mail',
              kind: 'smtp',
              host: '127.0.0.1',
              port: smtp.port,
              secure: false,
              maxLength: 160,
              timeoutMs: 5000,
              from: 'switchboard@riverside.example',
            },
          ],
          numbers: [],
        },
      },
    );
    // p-castro has no UPN (skipped); dr.brennan's mailbox is unknown at Graph (404: dead at once).
    await h.publish([
      shift('s1', 'p-castro', T0),
      shift('s2', 'p-brennan', T0 + 12 * H),
      shift('s3', 'p-ahmed', T0),
    ]);
    await h.run();
    h.clock.now = new Date(T0 + 20 * 60_000);
    await h.publish([
      shift('s1', 'p-castro', T0, 13),
      shift('s2', 'p-brennan', T0 + 12 * H),
      shift('s3', 'p-ahmed', T0),
    ]);
    await h.run();
    expect(smtp.mails).toHaveLength(0);
    // The interval (12:00-13:00 UTC) ends: its digest falls due.
    h.clock.now = new Date(Date.parse('2026-12-07T13:00:01Z'));
    await h.run();
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0].to).toEqual(['admin@riverside.example']);
    const mail = await simpleParser(smtp.mails[0].raw);
    expect(mail.subject).toBe('Riverside General: connector outlook: 1 not sent, 1 given up, 0 retried');
    expect(mail.text).toContain('- p-castro: Dr. Lucia Castro has no upn in the directory (2 times)');
    expect(mail.text).toMatch(
      /#\d+ event for shift s2 \(Dr\. Owen Brennan\): create in dr\.brennan@riverside\.example: HTTP 404/,
    );
    // Nothing new in the next interval: no second e-mail.
    await h.run();
    expect(smtp.mails).toHaveLength(1);
    expect(graph.events.size).toBe(1);
  });
});
