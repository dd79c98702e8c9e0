import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { TestSnppServer, TestWctpCarrier } from '../../src/delivery/paging/test-carriers.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Dr. One (on call, first) carries a WCTP pager; Dr. Two an SNPP pager of another carrier. */
async function pagedHospital() {
  const wctp = await TestWctpCarrier.start();
  const snpp = await TestSnppServer.start();
  cleanups.push(
    () => wctp.close(),
    () => snpp.close(),
  );
  const configDir = await writeBehaviourHospital();
  const dir = join(configDir, 'directory.yaml');
  writeFileSync(
    dir,
    readFileSync(dir, 'utf8')
      .replace(
        '{ kind: app, address: dr.one } ]',
        "{ kind: app, address: dr.one }, { kind: pager, address: '617-555-0101' } ]",
      )
      .replace(
        '{ kind: app, address: dr.two } ]',
        "{ kind: app, address: dr.two }, { kind: pager, address: '508-555-0102', carrier: legacy } ]",
      ),
  );
  const sw = join(configDir, 'switchboard.yaml');
  writeFileSync(
    sw,
    `${readFileSync(sw, 'utf8')}paging:
  carriers:
    - { name: metro, kind: wctp, url: '${wctp.url}', senderId: switchboard, securityCode: '\${METRO_CODE}' }
    - { name: legacy, kind: snpp, host: 127.0.0.1, port: ${snpp.port} }
  numbers:
    - { prefix: '617', carrier: metro }
  retry: { firstDelayMs: 60000, factor: 2, maxDelayMs: 240000, maxAttempts: 3 }
`,
  );
  const clock = new ManualClock('2026-11-22T14:30:00Z');
  const sb = await startTestSwitchboard({ configDir, clock, cycle: false, env: { METRO_CODE: 'from-env' } });
  cleanups.push(() => sb.cleanup());
  return { sb, wctp, snpp, clock };
}

async function send(sb: TestSwitchboard, message: string) {
  const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
  await client.connect();
  expect(await client.send(message)).toMatch(/MSA\|[AC]A\|/);
  await client.close();
  await sb.settled();
}

async function queued(sb: TestSwitchboard, n: number) {
  for (let i = 0; i < 200; i++) {
    if ((await sb.outbound.outbox.list({ channel: 'page' })).length >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`fewer than ${n} pages queued`);
}

describe('pagers as a delivery channel', () => {
  it('pages the on-call doctor through the WCTP carrier, then the escalation through SNPP', async () => {
    const { sb, wctp, snpp, clock } = await pagedHospital();
    await send(sb, result('2823-3', 'HH', '7.1'));
    await queued(sb, 1);
    await sb.outbound.worker.runDue();
    expect(wctp.pages).toHaveLength(1);
    expect(wctp.pages[0].recipient.recipientID).toBe('617-555-0101');
    expect(wctp.pages[0].originator.securityCode).toBe('from-env');
    const [alert] = await sb.store.alerts.list({});
    const paged = (await sb.store.alerts.timeline(alert.id)).find((e) => e.kind === 'paged');
    expect(paged).toMatchObject({ personId: 'p-one' });
    expect(paged?.detail).toContain('via metro: WCTP 200');

    // Nobody answers: step 2 of the policy (2 minutes) notifies Dr. Two, whose pager is on the SNPP carrier.
    clock.advance(2);
    await sb.routing.tick();
    await queued(sb, 2);
    await sb.outbound.worker.runDue();
    expect(snpp.pages).toHaveLength(1);
    expect(snpp.pages[0].pager).toBe('5085550102');
    expect(snpp.pages[0].message).toContain('[URGENT]');
  });

  it('retries a failing carrier with backoff, then dead-letters the page and says so on the timeline', async () => {
    const { sb, wctp, clock } = await pagedHospital();
    wctp.failWith = 'http:503';
    await send(sb, result('2823-3', 'HH', '7.2'));
    await queued(sb, 1);
    await sb.outbound.worker.runDue();
    const [alert] = await sb.store.alerts.list({});
    let [page] = await sb.outbound.outbox.list({ channel: 'page' });
    expect(page).toMatchObject({ state: 'pending', attempts: 1 });
    clock.advance(1);
    await sb.outbound.worker.runDue();
    clock.advance(2);
    await sb.outbound.worker.runDue();
    [page] = await sb.outbound.outbox.list({ channel: 'page' });
    expect(page).toMatchObject({ state: 'dead', attempts: 3 });
    expect(page.lastError).toContain('HTTP 503');
    const timeline = await sb.store.alerts.timeline(alert.id);
    expect(timeline.filter((e) => e.kind === 'retrying')).toHaveLength(2);
    const failed = timeline.find((e) => e.kind === 'failed');
    expect(failed?.detail).toContain('dead-lettered after 3 attempt(s)');
    expect(wctp.pages).toHaveLength(0);

    // The dead-letter list, for analysts, over HTTP; a clinician may not see it.
    const analyst = await signIn(sb.httpUrl, 'analyst');
    const res = await fetch(`${sb.httpUrl}/api/deliveries?state=dead`, {
      headers: { authorization: `Bearer ${analyst}` },
    });
    const body = (await res.json()) as {
      items: Array<{ channel: string; alertId: number; lastError: string }>;
    };
    expect(body.items).toEqual([
      expect.objectContaining({
        channel: 'page',
        alertId: alert.id,
        lastError: expect.stringContaining('503'),
      }),
    ]);
    const clinician = await signIn(sb.httpUrl, 'dr.one');
    const refused = await fetch(`${sb.httpUrl}/api/deliveries`, {
      headers: { authorization: `Bearer ${clinician}` },
    });
    expect(refused.status).toBe(403);
  });
});
