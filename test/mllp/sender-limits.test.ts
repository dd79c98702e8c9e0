import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameMllp, MllpDecoder } from '../../src/protocols/hl7/mllp.ts';
import { makeTestCerts, type TestCerts } from '../support/certs.ts';
import { oru, startTestSwitchboard, type TestSwitchboard, writeTestConfig } from '../support/harness.ts';
import { msa } from '../support/mllp-socket.ts';

/**
 * Connection limits of the MLLP listener: each sender connects from its own loopback address
 * (127.0.0.2, .3, …) so that per-address caps and allow-lists can be told apart in one test.
 */

interface Sender {
  socket: Socket;
  /** Resolves with the first ACK's MSA-1, or 'closed' when the listener closed the connection first. */
  send(controlId: string): Promise<string>;
  /** Resolves with 'closed' if the listener closes the connection within `ms`, else 'open'. */
  staysOpen(ms?: number): Promise<'open' | 'closed'>;
  close(): void;
}

function wrap(socket: Socket): Sender {
  const decoder = new MllpDecoder();
  let closed = false;
  const closers: Array<() => void> = [];
  const acks: string[] = [];
  const ackWaiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    for (const e of decoder.push(chunk)) if (e.kind === 'frame') acks.push(e.body.toString('utf8'));
    for (const w of ackWaiters.splice(0)) w();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    for (const c of closers.splice(0)) c();
    for (const w of ackWaiters.splice(0)) w();
  });
  return {
    socket,
    send(controlId) {
      return new Promise((resolve) => {
        const check = () => {
          if (acks.length > 0) resolve(msa(acks.shift() ?? '').code);
          else if (closed) resolve('closed');
          else ackWaiters.push(check);
        };
        if (!closed) socket.write(frameMllp(oru(controlId, 'LIMITLAB')));
        check();
      });
    },
    staysOpen(ms = 500) {
      return new Promise((resolve) => {
        if (closed) return resolve('closed');
        const timer = setTimeout(() => resolve('open'), ms);
        closers.push(() => {
          clearTimeout(timer);
          resolve('closed');
        });
      });
    },
    close: () => socket.destroy(),
  };
}

/** Connects from `localAddress` (TCP established; the listener may still close it at once). */
function open(port: number, localAddress: string, host = '127.0.0.1'): Promise<Sender> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host, localAddress }, () => resolve(wrap(socket)));
    socket.once('error', reject);
  });
}

async function refusals(sb: TestSwitchboard): Promise<Record<string, number>> {
  // The MLLP thread reports its health twice a second.
  await new Promise((r) => setTimeout(r, 700));
  const health = await (await fetch(`${sb.httpUrl}/api/health`)).json();
  return health.listeners.mllp.refusedConnections;
}

const switchboards: TestSwitchboard[] = [];
async function start(overrides: string): Promise<TestSwitchboard> {
  const sb = await startTestSwitchboard({ configDir: writeTestConfig({}, overrides) });
  switchboards.push(sb);
  return sb;
}
afterAll(async () => {
  for (const sb of switchboards) await sb.cleanup();
});

describe('MLLP connection limits', () => {
  it('caps the connections one address may hold, and serves other addresses meanwhile', async () => {
    const sb = await start('    maxConnectionsPerAddress: 3\n');
    const held = await Promise.all([1, 2, 3].map(() => open(sb.mllpPort, '127.0.0.2')));
    const fourth = await open(sb.mllpPort, '127.0.0.2');
    expect(await fourth.staysOpen()).toBe('closed');
    for (const h of held) expect(await h.staysOpen(50)).toBe('open');
    expect(await held[0].send('CAP-1')).toBe('AA');

    const other = await open(sb.mllpPort, '127.0.0.3');
    expect(await other.send('CAP-2')).toBe('AA');
    // A slot freed is a slot again.
    held[1].close();
    await new Promise((r) => setTimeout(r, 100));
    const again = await open(sb.mllpPort, '127.0.0.2');
    expect(await again.send('CAP-3')).toBe('AA');
    expect((await refusals(sb)).perAddress).toBe(1);
    for (const s of [...held, other, again]) s.close();
  });

  it('refuses a sender outside allowedSenders, by address or network, and keeps serving the others', async () => {
    const sb = await start(
      '    allowedSenders:\n      - { name: lab, address: 127.0.0.7 }\n      - { name: ris, address: 127.0.1.0/24 }\n',
    );
    const stranger = await open(sb.mllpPort, '127.0.0.8');
    expect(await stranger.send('ALLOW-0')).toBe('closed');
    const lab = await open(sb.mllpPort, '127.0.0.7');
    expect(await lab.send('ALLOW-1')).toBe('AA');
    const ris = await open(sb.mllpPort, '127.0.1.9');
    expect(await ris.send('ALLOW-2')).toBe('AA');
    expect((await refusals(sb)).notAllowed).toBe(1);
    expect((await sb.store.messages.list({ controlId: 'ALLOW-0' })).total).toBe(0);
    lab.close();
    ris.close();
  });

  it('matches an IPv4 sender on a dual-stack listener (::ffff:127.0.0.7 is 127.0.0.7)', async () => {
    // Listening on :: an IPv4 peer's address reads ::ffff:127.0.0.7.
    const config = writeTestConfig({}, '    allowedSenders:\n      - { address: 127.0.0.7 }\n');
    const file = join(config, 'switchboard.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('host: 127.0.0.1\n    port: 0', "host: '::'\n    port: 0"),
    );
    const sb = await startTestSwitchboard({ configDir: config });
    switchboards.push(sb);
    const lab = await open(sb.mllpPort, '127.0.0.7');
    expect(await lab.send('MAPPED-1')).toBe('AA');
    const stored = await sb.ingested().then(() => sb.store.messages.list({ controlId: 'MAPPED-1' }));
    expect(stored.items[0].peer).toMatch(/^::ffff:127\.0\.0\.7:/);
    const other = await open(sb.mllpPort, '127.0.0.9');
    expect(await other.send('MAPPED-2')).toBe('closed');
    lab.close();
  });

  it('keeps the reserve for known senders while unknown idle connections fill the rest', async () => {
    const sb = await start('    maxConnections: 10\n    reservedConnections: 3\n');
    // A sender becomes known by sending a message that is stored.
    const lab = await open(sb.mllpPort, '127.0.0.5');
    expect(await lab.send('RESERVE-1')).toBe('AA');
    lab.close();
    await new Promise((r) => setTimeout(r, 100));

    const idle: Sender[] = [];
    for (let i = 0; i < 7; i++) idle.push(await open(sb.mllpPort, '127.0.0.6'));
    const eighth = await open(sb.mllpPort, '127.0.0.6');
    expect(await eighth.staysOpen()).toBe('closed');
    for (const s of idle) expect(await s.staysOpen(20)).toBe('open');

    // The known sender still gets in, up to maxConnections.
    const known = await Promise.all([1, 2, 3].map(() => open(sb.mllpPort, '127.0.0.5')));
    expect(await known[0].send('RESERVE-2')).toBe('AA');
    expect(await known[2].send('RESERVE-3')).toBe('AA');
    const overCap = await open(sb.mllpPort, '127.0.0.5');
    expect(await overCap.staysOpen()).toBe('closed');
    expect(await refusals(sb)).toEqual({ notAllowed: 0, perAddress: 0, full: 1, reserved: 1 });
    for (const s of [...idle, ...known]) s.close();
  });

  it('keeps its known senders across a restart: the reserve is theirs from the start', async () => {
    const configDir = writeTestConfig({}, '    maxConnections: 10\n    reservedConnections: 3\n');
    const first = await startTestSwitchboard({ configDir });
    const lab = await open(first.mllpPort, '127.0.0.8');
    expect(await lab.send('KNOWN-1')).toBe('AA');
    lab.close();
    await first.stop();

    const sb = await startTestSwitchboard({ configDir, dataDir: first.dataDir });
    switchboards.push(sb);
    const idle: Sender[] = [];
    for (let i = 0; i < 7; i++) idle.push(await open(sb.mllpPort, '127.0.0.9'));
    expect(await (await open(sb.mllpPort, '127.0.0.9')).staysOpen()).toBe('closed');
    // The lab has sent nothing since the restart, and still gets one of the reserved connections.
    const known = await open(sb.mllpPort, '127.0.0.8');
    expect(await known.send('KNOWN-2')).toBe('AA');
    for (const s of [...idle, known]) s.close();
  });

  it('lets a known sender in while 1,000 idle connections are held (the defaults)', async () => {
    const sb = await start('');
    const lab = await open(sb.mllpPort, '127.0.0.10');
    expect(await lab.send('FLOOD-0')).toBe('AA');
    lab.close();
    // 25 addresses × 40 idle connections: 900 are let in, the last 100 are kept for known senders.
    const idle: Sender[] = [];
    for (let a = 0; a < 25; a++) {
      const batch = await Promise.all(
        Array.from({ length: 40 }, () => open(sb.mllpPort, `127.0.2.${a + 1}`)),
      );
      idle.push(...batch);
    }
    const outcomes = await Promise.all(idle.map((s) => s.staysOpen(300)));
    expect(outcomes.filter((o) => o === 'open').length).toBe(900);
    const known = await open(sb.mllpPort, '127.0.0.10');
    expect(await known.send('FLOOD-1')).toBe('AA');
    const stranger = await open(sb.mllpPort, '127.0.3.1');
    expect(await stranger.send('FLOOD-2')).toBe('closed');
    expect((await refusals(sb)).reserved).toBe(101);
    for (const s of [...idle, known]) s.close();
  }, 60_000);
});

describe('MLLP allow-list by client certificate', () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = makeTestCerts();
  });
  afterAll(() => rmSync(certs.dir, { recursive: true, force: true }));

  const tls = (extra: string) =>
    `    tls:\n      enabled: true\n      certFile: ${certs.certFile}\n      keyFile: ${certs.keyFile}\n      caFile: ${certs.caFile}\n${extra}`;

  function openTls(port: number, localAddress: string, withCert: boolean): Promise<Sender> {
    return new Promise((resolve, reject) => {
      const tcp = connect({ port, host: '127.0.0.1', localAddress });
      tcp.once('error', reject);
      const socket = connectTls(
        {
          socket: tcp,
          servername: '127.0.0.1',
          ca: certs.ca,
          ...(withCert ? { cert: certs.clientCert, key: certs.clientKey } : {}),
        },
        () => resolve(wrap(socket)),
      );
      socket.once('error', reject);
    });
  }

  it('lets in a certificate subject from the configured CA only from its address', async () => {
    const sb = await start(
      `${tls('      requireClientCert: true\n')}    allowedSenders:\n      - { certificateSubject: lab-interface, address: 127.0.0.2 }\n`,
    );
    const lab = await openTls(sb.mllpPort, '127.0.0.2', true);
    expect(await lab.send('CERT-1')).toBe('AA');
    const elsewhere = await openTls(sb.mllpPort, '127.0.0.3', true).catch(() => undefined);
    expect(elsewhere ? await elsewhere.send('CERT-2') : 'closed').toBe('closed');
    expect((await refusals(sb)).notAllowed).toBe(1);
    lab.close();
  });

  it('frees the slot of a closed TLS connection', async () => {
    const sb = await start(`    maxConnections: 2\n    reservedConnections: 0\n${tls('')}`);
    for (let i = 0; i < 5; i++) {
      const lab = await openTls(sb.mllpPort, '127.0.0.2', false);
      expect(await lab.send(`TLS-SLOT-${i}`)).toBe('AA');
      lab.close();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await refusals(sb)).toEqual({ notAllowed: 0, perAddress: 0, full: 0, reserved: 0 });
  });

  it('lets in a pinned certificate fingerprint, and refuses a client without it', async () => {
    const fingerprint = new X509Certificate(certs.clientCert).fingerprint256;
    const sb = await start(
      `${tls('      requireClientCert: false\n')}    allowedSenders:\n      - { certificateFingerprint: "${fingerprint}" }\n`,
    );
    const anonymous = await openTls(sb.mllpPort, '127.0.0.4', false).catch(() => undefined);
    expect(anonymous ? await anonymous.send('PIN-0') : 'closed').toBe('closed');
    const lab = await openTls(sb.mllpPort, '127.0.0.4', true);
    expect(await lab.send('PIN-1')).toBe('AA');
    expect((await refusals(sb)).notAllowed).toBe(1);
    lab.close();
  });
});
