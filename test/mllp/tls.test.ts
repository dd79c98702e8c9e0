import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpClient, readAck } from '../../src/delivery/mllp/client.ts';
import { makeTestCerts, type TestCerts } from '../support/certs.ts';
import { oru, startTestSwitchboard, type TestSwitchboard, writeTestConfig } from '../support/harness.ts';

let certs: TestCerts;
let sb: TestSwitchboard;

beforeAll(async () => {
  certs = makeTestCerts();
  const tls = `    tls:\n      enabled: true\n      certFile: ${certs.certFile}\n      keyFile: ${certs.keyFile}\n      caFile: ${certs.caFile}\n      requireClientCert: true\n`;
  sb = await startTestSwitchboard({ configDir: writeTestConfig({}, tls) });
});
afterAll(async () => {
  await sb.cleanup();
  rmSync(certs.dir, { recursive: true, force: true });
});

describe('MLLP over mutual TLS', () => {
  it('accepts a client with a certificate from the configured CA', async () => {
    const client = new MllpClient({
      host: '127.0.0.1',
      port: sb.mllpPort,
      tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
    });
    await client.connect();
    const ack = readAck(await client.send(oru('TLS-1')));
    await client.close();
    expect(ack).toMatchObject({ code: 'AA', controlId: 'TLS-1' });
    expect(sb.mllp).toBeDefined();
  });

  it('refuses a client without a certificate, and keeps serving', async () => {
    const anonymous = new MllpClient({
      host: '127.0.0.1',
      port: sb.mllpPort,
      tls: { ca: certs.ca },
      ackTimeoutMs: 5000,
    });
    const outcome = await anonymous
      .connect()
      .then(() => anonymous.send(oru('TLS-ANON')))
      .then(
        () => 'accepted',
        () => 'refused',
      );
    expect(outcome).toBe('refused');
    expect((await sb.store.messages.list({ controlId: 'TLS-ANON' })).total).toBe(0);
    const health = await (await fetch(`${sb.httpUrl}/api/health`)).json();
    expect(health.listeners.mllp).toMatchObject({ state: 'listening', tls: true });
  });
});
