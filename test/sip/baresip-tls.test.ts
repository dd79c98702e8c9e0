/**
 * SIP over TLS with a real phone: baresip registers as Dr. Three over TLS (RFC 3261 section 26, checking
 * our certificate against the test CA), and a caller on the hospital's UDP side reaches the cardiology
 * number; the call goes to the phone down the TLS connection it registered over. The caller offers SRTP
 * (RTP/SAVP with an a=crypto key) and the phone answers SRTP: the relay passes both SDPs through untouched.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestCerts } from '../support/certs.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { type BaresipPhone, baresipAvailable, startBaresip } from './baresip-phone.ts';
import { SIP_ENV, writeSipHospital } from './hospital.ts';
import { freeUdpPort, settle, sipp, sippAvailable } from './sipp.ts';

const available = baresipAvailable && sippAvailable;
if (!available) console.warn('[baresip-tls] SKIPPED: baresip (Debian baresip-core) or sipp is not installed');

describe.skipIf(!available)('SIP over TLS to a registered phone, with SRTP passed through', () => {
  let sb: TestSwitchboard | undefined;
  let phone: BaresipPhone | undefined;
  afterAll(async () => {
    phone?.kill();
    await sb?.cleanup();
  });

  it('registers over TLS, and a call with an SRTP offer reaches the phone over that connection', async () => {
    const certs = makeTestCerts();
    const configDir = await writeSipHospital({
      one: 'sip:one@127.0.0.3:9',
      two: 'sip:two@127.0.0.4:9',
      digestAlgorithms: ['MD5'],
      tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    });
    sb = await startTestSwitchboard({ configDir, env: SIP_ENV });
    const tlsPort = sb.sip!.tlsPort!;
    expect(tlsPort).toBeGreaterThan(0);
    const listen = await freeUdpPort('127.0.0.5');
    phone = startBaresip({
      listen: `127.0.0.5:${listen}`,
      account: `<sip:dr.three@127.0.0.1:${tlsPort};transport=tls>;auth_pass=three-secret;answermode=auto;regint=60;mediaenc=srtp`,
      config: [`sip_cafile ${certs.caFile}`],
      modules: ['srtp.so'],
    });
    for (let i = 0; i < 50; i++) {
      if ((await sb.store.sip.liveBindings(new Date())).length) break;
      await settle(100);
    }
    const bindings = await sb.store.sip.liveBindings(new Date());
    expect(
      bindings.map((b) => b.aor),
      phone.log(),
    ).toEqual(['sip:dr.three@test.hospital']);
    expect(bindings[0]!.source, 'the binding was made over TLS').toMatch(/^tls:127\.0\.0\.1:/);

    const caller = sipp('caller-srtp.xml', [
      `127.0.0.1:${sb.sip!.port}`,
      ...['-i', '127.0.0.2', '-p', String(await freeUdpPort('127.0.0.2'))],
      ...['-s', '4200', '-m', '1'],
    ]);
    const result = await caller.done;
    expect(result.code, `${result.output.slice(-2000)}\n${phone.log()}`).toBe(0);
    let calls = await sb.store.sip.listCalls({});
    for (let i = 0; i < 30 && calls.length === 0; i++) {
      await settle(100);
      calls = await sb.store.sip.listCalls({});
    }
    expect(calls[0]).toMatchObject({ outcome: 'answered', answeredBy: 'p-three', route: 'cardiology' });
    expect(phone.log()).toContain('Call established: sip:6175550100@');
  }, 60_000);
});
