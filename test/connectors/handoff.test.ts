import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorKind } from '../../src/connectors/connector.ts';
import { type HandoffOptions, handoffKind } from '../../src/connectors/handoff/index.ts';
import { loadConnectors } from '../../src/connectors/settings.ts';
import { ClinicianHub, type ClinicianSocket } from '../../src/delivery/app/hub.ts';
import type { CarrierConfig, CarrierTable } from '../../src/delivery/paging/carriers.ts';
import { TestSmtpServer } from '../../src/delivery/paging/test-carriers.ts';
import type { Person } from '../../src/directory/types.ts';
import { YamlFile } from '../../src/kit/yaml-files.ts';
import type { AlertService } from '../../src/routing/alerts.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import type { MessageAddressing } from '../../src/routing/messaging/addressing.ts';
import { MessagingService } from '../../src/routing/messaging/messaging-service.ts';
import {
  type ConnectorHospital,
  connectorHospital,
  connectorSettings,
  H,
  PEOPLE,
  person,
  shift,
} from '../support/connectors.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';

/** A WebSocket frame as the clinician hub sent it (docs/websocket.md). */
type Frame = { type: string; conversation?: { id: number } } & Record<string, unknown>;

const T0 = Date.parse('2026-12-07T22:00:00Z'); // 17:00 in New York
const HANDOFF = T0 + 2 * H; // 19:00

const mailCarrier = (name: string, port: number): CarrierConfig => ({
  name,
  kind: 'smtp',
  host: '127.0.0.1',
  port,
  secure: false,
  maxLength: 240,
  timeoutMs: 5000,
});

/** A port nothing listens on: a carrier there is down (connection refused, worth retrying). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('handoff notices', () => {
  let h: ConnectorHospital;
  let smtp: TestSmtpServer;
  /** The frames each person's connected app received, as the clinician hub sent them. */
  let frames: Map<string, Array<Frame>>;
  let messaging: MessagingService;
  afterEach(async () => {
    await h?.close();
    await smtp?.close();
  });

  async function start(
    options: Partial<HandoffOptions> = {},
    over: { people?: Person[]; paging?: CarrierTable } = {},
  ) {
    smtp = await TestSmtpServer.start();
    h = await connectorHospital(
      [
        connectorSettings<HandoffOptions>({
          id: 'handoff',
          kind: 'handoff',
          options: { leadMinutes: 30, tellOutgoing: false, tell: ['app', 'pager'], ...options },
        }),
      ],
      {
        start: new Date(T0),
        people: over.people,
        paging: over.paging ?? { carriers: [mailCarrier('mail', smtp.port)], numbers: [] },
        // Built below on the hospital's own store; connectors only reach it at send time.
        messaging: { notify: (personId, notice) => messaging.notify(personId, notice) },
      },
    );
    // Clinician messaging as main.ts builds it, on the same SQLite store; a notice needs no addressing,
    // alerts, census or escalation policy.
    const nameOf = (id: string) => h.directory().person(id)?.name;
    const log = pino({ level: 'silent' });
    messaging = new MessagingService({
      store: h.store.conversations,
      addressing: {} as MessageAddressing,
      audit: h.store.audit,
      alerts: {} as AlertService,
      urgentPolicy: () => undefined,
      patient: async () => undefined,
      nameOf,
      settings: { urgentUnreadMinutes: 5, retentionDays: 365 },
      clock: { now: () => h.clock.now },
      log,
    });
    const hub = new ClinicianHub({
      alerts: h.store.alerts,
      nameOf,
      answer: () => Promise.reject(new Error('no alerts here')),
      log,
    });
    messaging.deliverThrough(hub);
    frames = new Map();
    for (const p of over.people ?? PEOPLE) {
      const mine: Array<Frame> = [];
      frames.set(p.id, mine);
      const socket: ClinicianSocket = {
        send: (data) => void mine.push(JSON.parse(data)),
        close: () => {},
        on: () => socket,
      };
      hub.attach(socket, { id: p.id, name: p.name });
    }
    await h.run(); // the first run: cursor at the feed's end
  }

  const told = async () =>
    Promise.all(smtp.mails.map(async (m) => [m.to[0], (await simpleParser(m.raw)).subject ?? ''] as const));

  /** What each person has in their app: every conversation's subject, sender and text. */
  const inApp = async (personId: string) => {
    const summaries = await h.store.conversations.forPerson(personId);
    return summaries.map((s) => [s.conversation.subject, s.last?.senderId, s.last?.body]);
  };
  const messageFrames = (personId: string) =>
    (frames.get(personId) ?? []).filter((f) => f.type === 'message');

  it('tells the incoming and the outgoing clinician 30 minutes before the handoff, by pager and in the app, once; a change moves the notice', async () => {
    await start({ tellOutgoing: true });
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
    expect(await inApp('p-ahmed')).toEqual([]);
    h.clock.now = new Date(HANDOFF + 30 * 60_000);
    await h.run();
    const incoming =
      'Handoff: you are on call for Hospitalist on call from 20:00 (Mon 7 Dec) until 08:00 (Tue 8 Dec).';
    const outgoing =
      'Handoff: Dr. Samira Ahmed takes over Hospitalist on call from you at 20:00 (Mon 7 Dec).';
    expect(await told()).toEqual([
      ['p-ahmed@riverside.example', incoming],
      ['p-brennan@riverside.example', outgoing],
    ]);
    // The same notices in each one's app, from Switchboard, stored in the conversation store...
    expect(await inApp('p-ahmed')).toEqual([['Handoff: Hospitalist on call', '@switchboard', incoming]]);
    expect(await inApp('p-brennan')).toEqual([['Handoff: Hospitalist on call', '@switchboard', outgoing]]);
    expect(await inApp('p-castro')).toEqual([]);
    // ...and pushed to the connected app: signed "Switchboard", and no reply box.
    expect(messageFrames('p-ahmed')).toHaveLength(1);
    expect(messageFrames('p-ahmed')[0]).toMatchObject({
      conversation: {
        subject: 'Handoff: Hospitalist on call',
        replies: false,
        members: expect.arrayContaining([
          expect.objectContaining({ personId: '@switchboard', name: 'Switchboard' }),
        ]),
      },
      message: {
        sender: { kind: 'switchboard', personId: '@switchboard', name: 'Switchboard' },
        body: incoming,
        receipts: [expect.objectContaining({ personId: 'p-ahmed', name: 'Dr. Samira Ahmed', state: 'sent' })],
      },
    });
    expect(messageFrames('p-brennan')).toHaveLength(1);
    // Audited like a clinician's message.
    const conversationId = messageFrames('p-ahmed')[0].conversation?.id ?? 0;
    expect(await h.store.audit.list({ subject: `conversation:${conversationId}` })).toEqual([
      expect.objectContaining({
        actor: 'system',
        action: 'message.send',
        detail: expect.stringMatching(/^Switchboard notice \d+ to p-ahmed \(handoff-\d+-in\)$/),
      }),
    ]);
    // Nobody can answer a notice.
    await expect(messaging.reply('p-ahmed', conversationId, { body: 'thanks' })).rejects.toThrow(
      /a notice from Switchboard takes no replies/,
    );
    // A notes edit replans the notice: nobody is told twice, by pager or in the app.
    await h.publish([
      shift('day', 'p-brennan', HANDOFF - 12 * H, 13),
      shift('night', 'p-ahmed', HANDOFF + H, 12, { notes: 'x' }),
    ]);
    await h.run();
    expect(smtp.mails).toHaveLength(2);
    expect(await inApp('p-ahmed')).toHaveLength(1);
    expect(await inApp('p-brennan')).toHaveLength(1);
    expect(messageFrames('p-ahmed')).toHaveLength(1);
  });

  it('a shift removed before its notice is due tells nobody', async () => {
    await start();
    await h.publish([shift('night', 'p-ahmed', HANDOFF)]);
    await h.run();
    await h.publish([]);
    h.clock.now = new Date(HANDOFF);
    await h.run();
    expect(smtp.mails).toHaveLength(0);
    expect(await inApp('p-ahmed')).toEqual([]);
  });

  it('tells a clinician with no pager or e-mail contact in the app alone; with pager alone that notice is dead', async () => {
    const people = [
      ...PEOPLE.filter((p) => p.id !== 'p-castro'),
      { ...person('p-castro', 'Dr. Lucia Castro'), contacts: [] },
    ];
    await start({}, { people });
    await h.publish([shift('night', 'p-castro', HANDOFF)]);
    h.clock.now = new Date(HANDOFF - 30 * 60_000);
    await h.run();
    expect(smtp.mails).toHaveLength(0);
    expect(await inApp('p-castro')).toEqual([
      [
        'Handoff: Hospitalist on call',
        '@switchboard',
        'Handoff: you are on call for Hospitalist on call from 19:00 (Mon 7 Dec) until 07:00 (Tue 8 Dec).',
      ],
    ]);
    expect(messageFrames('p-castro')).toHaveLength(1);
    const [sent] = await h.store.connectors.log('handoff', { limit: 10, outcomes: ['sent'] });
    expect(sent.answer).toMatch(
      /p-castro app: message \d+ in conversation \d+; p-castro has no pager or e-mail contact/,
    );
    await h.close();
    await smtp.close();

    await start({ tell: ['pager'] }, { people });
    await h.publish([shift('night', 'p-castro', HANDOFF)]);
    h.clock.now = new Date(HANDOFF - 30 * 60_000);
    await h.run();
    const [dead] = await h.store.connectors.log('handoff', { limit: 10, outcomes: ['dead'] });
    expect(dead.answer).toMatch(/Dr. Lucia Castro has no pager or e-mail contact/);
    expect(await inApp('p-castro')).toEqual([]);
  });

  it('tell: [app] puts the notice in the app only; tell: [pager] pages only', async () => {
    await start({ tell: ['app'] });
    await h.publish([shift('night', 'p-ahmed', HANDOFF)]);
    h.clock.now = new Date(HANDOFF - 30 * 60_000);
    await h.run();
    expect(smtp.mails).toHaveLength(0);
    expect(await inApp('p-ahmed')).toHaveLength(1);
    await h.close();
    await smtp.close();

    await start({ tell: ['pager'] });
    await h.publish([shift('night', 'p-ahmed', HANDOFF)]);
    h.clock.now = new Date(HANDOFF - 30 * 60_000);
    await h.run();
    expect(smtp.mails).toHaveLength(1);
    expect(await inApp('p-ahmed')).toEqual([]);
  });

  it('a page that fails and is retried does not put the notice in the app twice', async () => {
    const paging: CarrierTable = { carriers: [mailCarrier('down', await closedPort())], numbers: [] };
    await start({}, { paging });
    await h.publish([shift('night', 'p-ahmed', HANDOFF)]);
    h.clock.now = new Date(HANDOFF - 30 * 60_000);
    await h.run();
    expect(await h.store.connectors.log('handoff', { limit: 10, outcomes: ['retry'] })).toHaveLength(1);
    expect(await inApp('p-ahmed')).toHaveLength(1);
    // The carrier is back (another relay): the retry pages, and the app notice stays the one.
    paging.carriers = [mailCarrier('mail', smtp.port)];
    h.clock.now = new Date(HANDOFF - 20 * 60_000);
    await h.run();
    expect(smtp.mails).toHaveLength(1);
    expect(await inApp('p-ahmed')).toHaveLength(1);
    expect(messageFrames('p-ahmed')).toHaveLength(1);
    const [sent] = await h.store.connectors.log('handoff', { limit: 10, outcomes: ['sent'] });
    expect(sent.answer).toMatch(/^p-ahmed app: told before; SMTP 250/);
  });
});

describe('handoff notices in a running Switchboard', () => {
  let sb: TestSwitchboard | undefined;
  let device: FakeDevice | undefined;
  afterEach(async () => {
    device?.close();
    await sb?.cleanup();
    sb = undefined;
  });

  it('reach the clinician app connected over the WebSocket, signed Switchboard; a reply is refused', async () => {
    const configDir = await writeBehaviourHospital();
    writeFileSync(
      join(configDir, 'connectors.yaml'),
      'connectors:\n  - { id: handoff, kind: handoff, options: { leadMinutes: 30, tell: [app, pager] } }\n',
    );
    const clock = new ManualClock('2026-11-22T14:30:00Z'); // 09:30 in New York
    sb = await startTestSwitchboard({ configDir, clock, cycle: false });
    await sb.connectors.cycle.tick(); // the first run: cursor at the feed's end
    const token = await signIn(sb.httpUrl, 'dr.one');
    device = await FakeDevice.connect(sb.httpUrl, token, 'dr.one');
    // Dr. One takes Cardiology from 12:00; the behaviour hospital's people have the app and no pager.
    await sb.store.schedules.applySync({
      source: 'amion',
      scope: { kind: 'all' },
      shifts: [
        {
          id: 'cards-noon',
          assignmentId: 'cardiology',
          personId: 'p-one',
          start: new Date('2026-11-22T17:00:00Z'),
          end: new Date('2026-11-23T05:00:00Z'),
          callOrder: 1,
          notes: '',
          published: true,
          source: 'amion',
        },
      ],
      actor: 'sync:amion',
      now: clock.now(),
    });
    await sb.connectors.cycle.tick();
    clock.set('2026-11-22T16:30:00Z');
    await sb.outbound.worker.runDue();

    const frame = await device.waitFor((f) => f.type === 'message');
    expect(frame).toMatchObject({
      conversation: { subject: 'Handoff: Cardiology', replies: false },
      message: {
        sender: { kind: 'switchboard', personId: '@switchboard', name: 'Switchboard' },
        body: 'Handoff: you are on call for Cardiology from 12:00 (Sun 22 Nov) until 00:00 (Mon 23 Nov).',
      },
    });
    const conversationId = (frame.conversation as { id: number }).id;
    // Signed in again: the session went idle while the clock moved on.
    const auth = { authorization: `Bearer ${await signIn(sb.httpUrl, 'dr.one')}` };
    const list = await fetch(`${sb.httpUrl}/api/conversations`, { headers: auth });
    expect(((await list.json()) as { items: unknown[] }).items).toMatchObject([
      { conversation: { id: conversationId }, last: { sender: { name: 'Switchboard' } }, unread: 1 },
    ]);
    const reply = await fetch(`${sb.httpUrl}/api/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'ok' }),
    });
    expect(reply.status).toBe(422);
    expect(((await reply.json()) as { detail: string }).detail).toMatch(/takes no replies/);
  });
});

describe('handoff settings', () => {
  const load = (yaml: string) =>
    loadConnectors(new YamlFile('connectors.yaml', yaml), {
      kinds: new Map([[handoffKind.kind, handoffKind as ConnectorKind<never>]]),
      env: {},
      knownAssignment: () => true,
    });

  it('tells by app and pager unless told otherwise; one channel alone is allowed', () => {
    const { value, problems } = load(`connectors:
  - { id: both, kind: handoff }
  - { id: app, kind: handoff, options: { tell: [app] } }
  - { id: pager, kind: handoff, options: { tell: pager } }
`);
    expect(problems).toEqual([]);
    expect(value.map((c) => (c.options as HandoffOptions).tell)).toEqual([
      ['app', 'pager'],
      ['app'],
      ['pager'],
    ]);
  });

  it('reports a wrong channel, a channel named twice and an empty list, each at its line and key', () => {
    const { problems } = load(`connectors:
  - id: a
    kind: handoff
    options:
      tell: [app, fax]
  - id: b
    kind: handoff
    options: { tell: [pager, pager] }
  - id: c
    kind: handoff
    options: { tell: [] }
  - id: d
    kind: handoff
    options: { tell: { app: true } }
`);
    expect(problems.map((p) => [p.key, p.line, p.message])).toEqual([
      ['connectors.0.options.tell.1', 5, 'must be app or pager'],
      ['connectors.1.options.tell.1', 8, 'names pager twice'],
      ['connectors.2.options.tell', 11, 'must name app, pager or both'],
      ['connectors.3.options.tell', 14, 'must be a list: [app, pager], [app] or [pager]'],
    ]);
  });
});
