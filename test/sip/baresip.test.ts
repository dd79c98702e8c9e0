/**
 * A real phone: baresip (Debian baresip-core) registers as Dr. Three with digest, auto-answers, and takes
 * a call to the cardiology number because Dr. Three is on call for cardiology now. The caller is SIPp.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { type BaresipPhone, baresipAvailable, startBaresip } from './baresip-phone.ts';
import { SIP_ENV, writeSipHospital } from './hospital.ts';
import { freeUdpPort, settle, sipp, sippAvailable } from './sipp.ts';

const available = baresipAvailable && sippAvailable;
if (!available) console.warn('[baresip] SKIPPED: baresip (Debian baresip-core) or sipp is not installed');

describe.skipIf(!available)('baresip as the on-call doctor’s phone', () => {
  let sb: TestSwitchboard | undefined;
  let phone: BaresipPhone | undefined;
  afterAll(async () => {
    phone?.kill();
    await sb?.cleanup();
  });

  it('registers with digest, and auto-answers a call to the cardiology number, seeing the hospital number', async () => {
    // baresip 1.0 cannot answer a SHA-256 challenge and gives up instead of using the MD5 one.
    const configDir = await writeSipHospital({
      one: 'sip:one@127.0.0.3:9',
      two: 'sip:two@127.0.0.4:9',
      digestAlgorithms: ['MD5'],
    });
    sb = await startTestSwitchboard({ configDir, env: SIP_ENV });
    const port = sb.sip!.port;
    const sipPort = await freeUdpPort('127.0.0.5');
    phone = startBaresip({
      listen: `127.0.0.5:${sipPort}`,
      account: `<sip:dr.three@127.0.0.1:${port}>;auth_pass=three-secret;answermode=auto;regint=60`,
    });
    const log = () => phone!.log();
    for (let i = 0; i < 50; i++) {
      if ((await sb.store.sip.liveBindings(new Date())).length) break;
      await settle(100);
    }
    expect(
      (await sb.store.sip.liveBindings(new Date())).map((b) => b.aor),
      log(),
    ).toEqual(['sip:dr.three@test.hospital']);

    const caller = sipp('caller.xml', [
      `127.0.0.1:${port}`,
      ...['-i', '127.0.0.2', '-p', String(await freeUdpPort('127.0.0.2'))],
      ...['-s', '4200', '-m', '1'],
    ]);
    const result = await caller.done;
    expect(result.code, `${result.output.slice(-2000)}\n${log()}`).toBe(0);
    let calls = await sb.store.sip.listCalls({});
    for (let i = 0; i < 30 && calls.length === 0; i++) {
      await settle(100);
      calls = await sb.store.sip.listCalls({});
    }
    expect(calls[0]).toMatchObject({ outcome: 'answered', answeredBy: 'p-three', route: 'cardiology' });
    expect(calls[0].answeredAt).toContain('127.0.0.5');
    // The phone saw the hospital's number, never the caller's.
    expect(log()).toContain('Call established: sip:6175550100@');
    expect(log()).not.toContain('clerk');
  }, 60_000);
});
