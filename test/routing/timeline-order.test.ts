import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';

const running: TestSwitchboard[] = [];
afterEach(async () => {
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
});

describe('timeline order', () => {
  it('an escalation is written before the page it sends: cause, then effect', async () => {
    const clock = new ManualClock('2026-11-22T14:30:00Z');
    const sb = await startTestSwitchboard({ configDir: await writeBehaviourHospital(), clock, cycle: false });
    running.push(sb);
    const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
    await client.connect();
    expect(await client.send(result('2823-3', 'LL'))).toContain('MSA|AA|');
    await client.close();
    await sb.settled();
    const [alert] = await sb.store.alerts.list({});
    clock.advance(2);
    await sb.routing.tick();
    const kinds = (await sb.store.alerts.timeline(alert.id)).map(
      (e) => `${e.kind}${e.personId ? `:${e.personId}` : ''}`,
    );
    expect(kinds.filter((k) => k === 'escalated' || k.startsWith('notified'))).toEqual([
      'notified:p-one',
      'escalated',
      'notified:p-two',
    ]);
  });
});
