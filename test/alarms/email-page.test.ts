import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The behaviour hospital with email-to-pager on: 555-0190 is the operators, 555-0191 the nurse of 4W 401-A. */
async function mailHospital() {
  const configDir = await writeBehaviourHospital();
  const dir = join(configDir, 'directory.yaml');
  writeFileSync(
    dir,
    readFileSync(dir, 'utf8').replace(
      '{ kind: app, address: dr.one } ]',
      "{ kind: app, address: dr.one }, { kind: pager, address: '617-555-0101' } ]",
    ),
  );
  const sw = join(configDir, 'switchboard.yaml');
  writeFileSync(
    sw,
    readFileSync(sw, 'utf8').replace(
      'listeners:\n',
      'listeners:\n  smtp:\n    enabled: true\n    host: 127.0.0.1\n    port: 0\n    domains: [page.test.example]\n',
    ) +
      `paging:
  virtualNumbers:
    - { number: '555-0190', name: Operators, target: { group: operators }, priority: normal }
    - { number: '555-0191', name: 4W 401-A nurse, target: { coverage: nurse, unit: 4W, room: '401', bed: A }, priority: urgent }
`,
  );
  const clock = new ManualClock('2026-11-22T14:30:00Z');
  const sb = await startTestSwitchboard({ configDir, clock, cycle: false });
  cleanups.push(() => sb.cleanup());
  const mailer = createTransport({ host: '127.0.0.1', port: sb.smtp?.port, secure: false, ignoreTLS: true });
  cleanups.push(() => mailer.close());
  return { sb, mailer };
}

async function routed(sb: TestSwitchboard, n: number) {
  for (let i = 0; i < 200; i++) {
    await sb.settled();
    const items = (await sb.store.messages.list({})).items;
    if (items.length >= n && items.every((m) => m.status !== 'received')) return items;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${n} mails were not routed`);
}

describe('email-to-pager in (SMTP listener)', () => {
  it('a mail to a virtual number reaches the nurse covering the bed, urgent', async () => {
    const { sb, mailer } = await mailHospital();
    const nurse = await FakeDevice.connect(sb.httpUrl, await signIn(sb.httpUrl, 'rn.day'), 'rn.day');
    cleanups.push(() => nurse.close());
    const info = await mailer.sendMail({
      from: 'bedside-monitor@riverside.example',
      to: '5550191@page.test.example',
      subject: 'Bed exit 401-A',
      text: 'Patient left the bed. Fall risk.',
    });
    expect(info.accepted).toEqual(['5550191@page.test.example']);
    const alert = await nurse.waitForAlert();
    expect(alert.title).toBe('Bed exit 401-A');
    expect(alert.priority).toBe('urgent');
    const [stored] = await sb.store.alerts.list({});
    expect(stored.body).toBe('Patient left the bed. Fall risk.');
    expect(stored.source).toBe('email');
    const [message] = await routed(sb, 1);
    expect(message.listener).toBe('smtp');
    expect(message.status).toBe('routed');
    expect(message.sendingApplication).toBe('bedside-monitor@riverside.example');
  });

  it('routes to a group and to a directory pager holder; refuses other domains and non-numbers with 550', async () => {
    const { sb, mailer } = await mailHospital();
    await mailer.sendMail({
      from: 'a@x.example',
      to: '555-0190@page.test.example',
      subject: 'Ops',
      text: 'x',
    });
    await mailer.sendMail({
      from: 'a@x.example',
      to: '16175550101@page.test.example',
      subject: 'Dr',
      text: 'y',
    });
    await routed(sb, 2);
    const alerts = (await sb.store.alerts.list({})).reverse();
    expect((await sb.store.alerts.recipients(alerts[0].id)).map((r) => r.personId)).toEqual(['p-op']);
    expect((await sb.store.alerts.recipients(alerts[1].id)).map((r) => r.personId)).toEqual(['p-one']);
    const wrongDomain = await mailer
      .sendMail({ from: 'a@x.example', to: '5550190@elsewhere.example', text: 'z' })
      .catch((e: { responseCode?: number }) => e);
    expect((wrongDomain as { responseCode?: number }).responseCode).toBe(550);
    const notANumber = await mailer
      .sendMail({ from: 'a@x.example', to: 'nurse@page.test.example', text: 'z' })
      .catch((e: { responseCode?: number }) => e);
    expect((notANumber as { responseCode?: number }).responseCode).toBe(550);
  });

  it('a resent mail (same Message-ID) is accepted again but paged once; an unknown number stays unrouted', async () => {
    const { sb, mailer } = await mailHospital();
    const mail = {
      from: 'a@x.example',
      to: '5550190@page.test.example',
      subject: 'Once',
      text: 'once',
      messageId: '<resent-1@x.example>',
    };
    await mailer.sendMail(mail);
    await mailer.sendMail(mail);
    await mailer.sendMail({ from: 'a@x.example', to: '5559999@page.test.example', subject: '?', text: '?' });
    const messages = await routed(sb, 2);
    expect(messages).toHaveLength(2);
    expect(await sb.store.alerts.list({})).toHaveLength(1);
    const unknown = messages.find((m) => m.status === 'unrouted');
    expect(unknown?.statusDetail).toContain('5559999');
  });
});
