import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import type { HandoffOptions } from '../../src/connectors/handoff/index.ts';
import { TestSmtpServer } from '../../src/delivery/paging/test-carriers.ts';
import {
  type ConnectorHospital,
  connectorHospital,
  connectorSettings,
  H,
  shift,
} from '../support/connectors.ts';

const T0 = Date.parse('2026-12-07T22:00:00Z'); // 17:00 in New York
const HANDOFF = T0 + 2 * H; // 19:00

describe('handoff notices', () => {
  let h: ConnectorHospital;
  let smtp: TestSmtpServer;
  afterEach(async () => {
    await h?.close();
    await smtp?.close();
  });

  async function start(tellOutgoing: boolean) {
    smtp = await TestSmtpServer.start();
    h = await connectorHospital(
      [
        connectorSettings<HandoffOptions>({
          id: 'handoff',
          kind: 'handoff',
          options: { leadMinutes: 30, tellOutgoing },
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
              maxLength: 240,
              timeoutMs: 5000,
            },
          ],
          numbers: [],
        },
      },
    );
    await h.run(); // the first run: cursor at the feed's end
  }

  const told = async () =>
    Promise.all(smtp.mails.map(async (m) => [m.to[0], (await simpleParser(m.raw)).subject ?? ''] as const));

  it('tells the incoming and the outgoing clinician 30 minutes before the handoff, once; a change moves the notice', async () => {
    await start(true);
    await h.publish([shift('day', 'p-brennan', HANDOFF - 12 * H), shift('night', 'p-ahmed', HANDOFF)]);
    await h.run();
    expect(smtp.mails).toHaveLength(0);
    // The night shift moves to start an hour later: the notice moves with it.
    await h.publish([
      shift('day', 'p-brennan', HANDOFF - 12 * H, 13),
      shift('night', 'p-ahmed', HANDOFF + H),
    ]);
    h.clock.now = new Date(HANDOFF - 30 * 60_000);
    await h.run();
    expect(smtp.mails).toHaveLength(0);
    h.clock.now = new Date(HANDOFF + 30 * 60_000);
    await h.run();
    expect(await told()).toEqual([
      [
        'p-ahmed@riverside.example',
        'Handoff: you are on call for Hospitalist on call from 20:00 (Mon 7 Dec) until 08:00 (Tue 8 Dec).',
      ],
      [
        'p-brennan@riverside.example',
        'Handoff: Dr. Samira Ahmed takes over Hospitalist on call from you at 20:00 (Mon 7 Dec).',
      ],
    ]);
    // A notes edit replans the notice: nobody is told twice.
    await h.publish([
      shift('day', 'p-brennan', HANDOFF - 12 * H, 13),
      shift('night', 'p-ahmed', HANDOFF + H, 12, { notes: 'x' }),
    ]);
    await h.run();
    expect(smtp.mails).toHaveLength(2);
  });

  it('a shift removed before its notice is due tells nobody', async () => {
    await start(false);
    await h.publish([shift('night', 'p-ahmed', HANDOFF)]);
    await h.run();
    await h.publish([]);
    h.clock.now = new Date(HANDOFF);
    await h.run();
    expect(smtp.mails).toHaveLength(0);
  });
});
