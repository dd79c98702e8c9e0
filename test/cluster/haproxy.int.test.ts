/**
 * Two instances on one PostgreSQL database behind HAProxy (Debian's, in TCP mode, as a site would run
 * it): an HL7 flood through the balancer, and a kill -9 of one instance in the middle of it. Senders do
 * what an interface engine does when its connection drops: connect again and resend what was not
 * acknowledged. Every acknowledged message must be stored exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { oru, writeTestConfig } from '../support/harness.ts';
import { msa, RawMllpPeer } from '../support/mllp-socket.ts';
import { createTestSchema, dropTestSchema, testDatabaseUrl } from '../support/postgres-schema.ts';
import { killLeftoverSwitchboardChildren, startSwitchboardChild } from '../support/switchboard-child.ts';

const haproxy = '/usr/sbin/haproxy';
const schema = await createTestSchema();
const configDir = writeTestConfig(
  {},
  `store:\n  driver: postgres\n  url: ${testDatabaseUrl}\n  schema: ${schema}\n`,
);
const work = mkdtempSync(join(tmpdir(), 'sb-haproxy-'));
let balancer: ChildProcess | undefined;
afterAll(async () => {
  balancer?.kill('SIGKILL');
  killLeftoverSwitchboardChildren();
  rmSync(work, { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
  await dropTestSchema(schema);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function openThrough(port: number): Promise<RawMllpPeer> {
  for (;;) {
    try {
      return await RawMllpPeer.open(port);
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe.skipIf(!existsSync(haproxy))('two instances behind HAProxy, one killed mid-flood', () => {
  it('stores every acknowledged message exactly once', async () => {
    const a = await startSwitchboardChild(configDir, mkdtempSync(join(work, 'a-')));
    const b = await startSwitchboardChild(configDir, mkdtempSync(join(work, 'b-')));
    const front = await freePort();
    const cfg = join(work, 'haproxy.cfg');
    writeFileSync(
      cfg,
      `global
  maxconn 256
defaults
  mode tcp
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend mllp
  bind 127.0.0.1:${front}
  default_backend switchboard
backend switchboard
  balance roundrobin
  server a 127.0.0.1:${a.mllp} check inter 100ms fall 1 rise 1
  server b 127.0.0.1:${b.mllp} check inter 100ms fall 1 rise 1
`,
    );
    balancer = spawn(haproxy, ['-db', '-f', cfg], { stdio: 'ignore' });
    await openThrough(front).then((p) => p.close());

    const acked: string[] = [];
    let killed = false;
    const perSender = 150;
    const sender = async (c: number) => {
      let peer = await openThrough(front);
      for (let i = 0; i < perSender; ) {
        const id = `HA-${c}-${i}`;
        const before = peer.acks.length;
        peer.write(frameMllp(oru(id, 'HALAB')));
        await peer.waitForAcks(before + 1, 10_000).catch(() => {});
        if (peer.acks.length > before && msa(peer.acks[before]).code === 'AA') {
          acked.push(id);
          i++;
          if (!killed && acked.length >= 300) {
            killed = true;
            a.child.kill('SIGKILL');
          }
        } else {
          // The connection went with its instance: connect again and resend the same message.
          peer.close();
          peer = await openThrough(front);
        }
      }
      peer.close();
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map(sender));
    expect(killed).toBe(true);
    expect(acked.length).toBe(6 * perSender);

    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ control_id: string; n: number }>(
        `SELECT control_id, count(*)::int AS n FROM ${schema}.messages WHERE sending_application = 'HALAB'
         GROUP BY control_id`,
      );
      const stored = new Map(rows.map((r) => [r.control_id, r.n]));
      expect(acked.filter((id) => stored.get(id) !== 1)).toEqual([]);
      expect(rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      await client.end();
    }
    b.child.kill('SIGTERM');
  });
});
