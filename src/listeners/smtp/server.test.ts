import { createTransport } from 'nodemailer';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../routing/inbound-port.ts';
import type { InboundMessage, MessageStore } from '../../store/port.ts';
import { SmtpListener } from './server.ts';

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** A message store that keeps messages in memory, or fails every save when `broken`. */
function memoryStore() {
  const saved: InboundMessage[] = [];
  const store = {
    broken: false,
    saved,
    async saveInbound(m: InboundMessage) {
      if (store.broken) throw new Error('disk full');
      const dup = saved.findIndex(
        (s) => s.sendingApplication === m.sendingApplication && s.controlId === m.controlId,
      );
      if (dup >= 0) return { id: dup + 1, duplicate: true };
      saved.push(m);
      return { id: saved.length, duplicate: false };
    },
  };
  return store;
}

async function listener(maxBytes = 4096) {
  const store = memoryStore();
  const accepted: InboundEvent[] = [];
  const smtp = new SmtpListener(
    { host: '127.0.0.1', port: 0, domains: ['page.test.example'], maxBytes },
    {
      store: store as unknown as MessageStore,
      inbound: { accept: (e) => accepted.push(e) },
      log: pino({ level: 'silent' }),
      now: () => new Date('2026-11-22T14:30:00Z'),
    },
  );
  const { port } = await smtp.start();
  stops.push(() => smtp.stop());
  const mailer = createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
  stops.push(() => mailer.close());
  return { store, accepted, mailer, smtp };
}

describe('SmtpListener', () => {
  it('stores the mail with its envelope in trace fields before 250, then hands it to routing', async () => {
    const { store, accepted, mailer, smtp } = await listener();
    const info = await mailer.sendMail({
      from: 'nurse-call@riverside.example',
      to: ['5550190@page.test.example', '555-0191@PAGE.test.example'],
      subject: 'Bath 401',
      text: 'Assist',
      messageId: '<m1@riverside.example>',
    });
    expect(info.response).toMatch(/^250/);
    expect(store.saved).toHaveLength(1);
    const m = store.saved[0];
    expect(m).toMatchObject({
      listener: 'smtp',
      sendingApplication: 'nurse-call@riverside.example',
      receivingApplication: '5550190@page.test.example,555-0191@page.test.example',
      controlId: 'm1@riverside.example',
      messageType: 'MAIL',
    });
    const text = m.raw.toString('utf8');
    expect(
      text.startsWith(
        'Delivered-To: 5550190@page.test.example\r\nDelivered-To: 555-0191@page.test.example\r\nReceived: from ',
      ),
    ).toBe(true);
    expect(text).toContain('Subject: Bath 401');
    expect(accepted.map((e) => e.messageId)).toEqual([1]);
    expect(smtp.health()).toMatchObject({ state: 'listening', messagesReceived: 1 });
  });

  it('answers 451 when the mail cannot be stored, and 552 when it is too large', async () => {
    const { store, accepted, mailer } = await listener(2048);
    store.broken = true;
    const unstored = await mailer
      .sendMail({ from: 'a@x.example', to: '5550190@page.test.example', text: 'x' })
      .catch((e: { responseCode?: number }) => e);
    expect((unstored as { responseCode?: number }).responseCode).toBe(451);
    store.broken = false;
    const big = await mailer
      .sendMail({ from: 'a@x.example', to: '5550190@page.test.example', text: 'y'.repeat(5000) })
      .catch((e: { responseCode?: number }) => e);
    expect((big as { responseCode?: number }).responseCode).toBe(552);
    expect(accepted).toHaveLength(0);
  });
});
