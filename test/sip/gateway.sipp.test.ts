/**
 * Full call flows through the SIP gateway with SIPp as caller and as the clinicians' phones, each on its
 * own loopback address (caller 127.0.0.2, Dr. One's phone 127.0.0.3, Dr. Two's 127.0.0.4, Dr. Three's
 * registered phone 127.0.0.5, an untrusted caller 127.0.0.6), with packet loss injected on both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredCallDetailRecord } from '../../src/store/sip-port.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { SIP_ENV, writeSipHospital } from './hospital.ts';
import { freeUdpPort, injectionFile, settle, sipp, sippAvailable } from './sipp.ts';

if (!sippAvailable)
  console.warn('[sip gateway] SKIPPED: /usr/bin/sipp not found (install Debian package sip-tester)');

describe.skipIf(!sippAvailable)('SIP gateway with SIPp peers', () => {
  let sb: TestSwitchboard;
  let gw: string;
  let onePort: number;
  let twoPort: number;

  beforeAll(async () => {
    onePort = await freeUdpPort('127.0.0.3');
    twoPort = await freeUdpPort('127.0.0.4');
    const configDir = await writeSipHospital({
      one: `sip:one@127.0.0.3:${onePort}`,
      two: `sip:two@127.0.0.4:${twoPort}`,
    });
    sb = await startTestSwitchboard({ configDir, env: SIP_ENV });
    gw = `127.0.0.1:${sb.sip!.port}`;
  });
  afterAll(async () => {
    await sb?.cleanup();
  });

  const phone = (scenario: string, address: string, port: number, calls: number, extra: string[] = []) =>
    sipp(scenario, ['-i', address, '-p', String(port), '-m', String(calls), ...extra]);
  const caller = async (scenario: string, number: string, calls: number, extra: string[] = []) =>
    sipp(scenario, [
      gw,
      ...['-i', '127.0.0.2', '-p', String(await freeUdpPort('127.0.0.2'))],
      ...['-s', number, '-m', String(calls), '-l', '1'],
      ...extra,
    ]);

  async function both(...runs: ReturnType<typeof sipp>[]) {
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r.code, r.output.slice(-3000)).toBe(0);
  }

  async function lastCalls(n: number): Promise<StoredCallDetailRecord[]> {
    // CDRs are written when a call ends; give the group commit a moment.
    for (let i = 0; i < 50; i++) {
      const calls = await sb.store.sip.listCalls({ limit: n });
      if (calls.length >= n) return calls;
      await settle(100);
    }
    return sb.store.sip.listCalls({ limit: n });
  }
  let seen = 0;
  async function newCalls(n: number) {
    const calls = await lastCalls(seen + n);
    seen += n;
    return calls.slice(0, n);
  }

  it('a call to the hospitalist number reaches whoever is on call, masked, with loss on both sides', async () => {
    // With loss, a 200 whose ACK was lost is sent again and its second ACK may come after the BYE that
    // overtook it, during the scenario's closing wait: that is the protocol working, not a failed call.
    const one = phone('callee.xml', '127.0.0.3', onePort, 5, [
      '-lost',
      '5',
      '-default_behaviors',
      'all,-abortunexp',
    ]);
    await settle();
    await both(await caller('caller.xml', '4100', 5, ['-lost', '5']), one);
    const calls = await newCalls(5);
    for (const c of calls) {
      expect(c).toMatchObject({
        outcome: 'answered',
        answeredBy: 'p-one',
        route: 'hospitalist',
        endedBy: 'caller',
      });
      expect(c.caller).toContain('clerk@127.0.0.2');
    }
  }, 90_000);

  it('no answer within the stage time moves on to call order 2', async () => {
    const one = phone('callee-no-answer.xml', '127.0.0.3', onePort, 1);
    const two = phone('callee.xml', '127.0.0.4', twoPort, 1);
    await settle();
    await both(await caller('caller.xml', '4100', 1), one, two);
    const [call] = await newCalls(1);
    expect(call.answeredBy).toBe('p-two');
    expect(call.attempts.map((a) => [a.personId, a.status])).toEqual([
      ['p-one', 408],
      ['p-two', 200],
    ]);
  }, 60_000);

  it('486 busy moves on at once; everyone busy gives the caller 486', async () => {
    let one = phone('callee-busy.xml', '127.0.0.3', onePort, 1);
    let two = phone('callee.xml', '127.0.0.4', twoPort, 1);
    await settle();
    await both(await caller('caller.xml', '4100', 1), one, two);
    const [first] = await newCalls(1);
    expect(first.attempts.map((a) => [a.personId, a.status])).toEqual([
      ['p-one', 486],
      ['p-two', 200],
    ]);

    one = phone('callee-busy.xml', '127.0.0.3', onePort, 1);
    two = phone('callee-busy.xml', '127.0.0.4', twoPort, 1);
    await settle();
    await both(await caller('caller-refused.xml', '4100', 1), one, two);
    const [second] = await newCalls(1);
    expect(second).toMatchObject({ outcome: 'busy', finalStatus: 486, answeredBy: null });
  }, 60_000);

  it('CANCEL from the caller cancels every ringing leg (487)', async () => {
    const one = phone('callee-no-answer.xml', '127.0.0.3', onePort, 1);
    const two = phone('callee-no-answer.xml', '127.0.0.4', twoPort, 1);
    await settle();
    await both(await caller('caller-cancels.xml', '4102', 1), one, two);
    const [call] = await newCalls(1);
    expect(call).toMatchObject({ outcome: 'cancelled', finalStatus: 487, route: 'hospitalist-all' });
  }, 60_000);

  it('BYE from the callee ends both sides', async () => {
    // Loss on the caller's side only: a phone's own BYE racing its lost ACK is a scenario artefact.
    const one = phone('callee-hangs-up.xml', '127.0.0.3', onePort, 2);
    await settle();
    await both(await caller('caller-waits.xml', '4100', 2, ['-lost', '5']), one);
    const calls = await newCalls(2);
    for (const c of calls) expect(c).toMatchObject({ outcome: 'answered', endedBy: 'callee' });
  }, 60_000);

  it('a re-INVITE (hold) is relayed with its SDP and answered', async () => {
    const one = phone('callee-reinvite.xml', '127.0.0.3', onePort, 2);
    await settle();
    await both(await caller('caller-reinvite.xml', '4100', 2, ['-lost', '5']), one);
    const calls = await newCalls(2);
    for (const c of calls) expect(c).toMatchObject({ outcome: 'answered', endedBy: 'caller' });
  }, 60_000);

  it('a phone registers with digest; an untrusted caller authenticates; the call reaches the registered phone', async () => {
    const threePort = await freeUdpPort('127.0.0.5');
    const creds = injectionFile([['dr.three', 'three-secret']]);
    const auth = ['-au', 'dr.three', '-ap', 'three-secret'];
    await both(
      sipp('register.xml', [
        gw,
        '-i',
        '127.0.0.5',
        '-p',
        String(threePort),
        '-m',
        '1',
        '-inf',
        creds,
        ...auth,
      ]),
    );
    expect(sb.routing && (await sb.store.sip.liveBindings(new Date())).map((b) => b.aor)).toEqual([
      'sip:dr.three@test.hospital',
    ]);
    const three = phone('callee.xml', '127.0.0.5', threePort, 1);
    await settle();
    await both(
      sipp('caller-auth.xml', [
        gw,
        '-i',
        '127.0.0.6',
        '-p',
        String(await freeUdpPort('127.0.0.6')),
        '-s',
        '4101',
        '-m',
        '1',
        '-inf',
        creds,
        ...auth,
      ]),
      three,
    );
    const [call] = await newCalls(1);
    expect(call).toMatchObject({ outcome: 'answered', answeredBy: 'p-three' });
    expect(call.answeredAt).toContain('127.0.0.5');
  }, 60_000);
});
