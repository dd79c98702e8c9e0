/**
 * PostgreSQL crashes and comes back under an HL7 flood: the instance reconnects by itself and goes on
 * acknowledging; every message it acknowledged is stored exactly once (an ACK waits for the COMMIT), and a
 * message whose commit failed was never acknowledged AA. The senders behave as HL7 senders do: one message
 * at a time, and the same message again after a NAK, a timeout or a dropped connection.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { oru, writeTestConfig } from '../support/harness.ts';
import { msa, RawMllpPeer } from '../support/mllp-socket.ts';
import { PrivatePostgres } from '../support/private-postgres.ts';
import { killLeftoverSwitchboardChildren, startSwitchboardChild } from '../support/switchboard-child.ts';

const unavailable = PrivatePostgres.unavailable();
const server = unavailable ? undefined : PrivatePostgres.start(55433 + (process.pid % 1000));
const dirs: string[] = [];
let child: ChildProcess | undefined;
afterAll(() => {
  killLeftoverSwitchboardChildren();
  server?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One HL7 sender: stop-and-wait, resending a message until it is acknowledged AA. */
async function send(port: number, prefix: string, until: () => boolean, acked: string[], naks: string[]) {
  let peer: RawMllpPeer | undefined;
  for (let i = 0; !until(); i++) {
    const id = `${prefix}-${i}`;
    for (;;) {
      if (!peer || peer.closed) {
        peer = await RawMllpPeer.open(port).catch(() => undefined);
        if (!peer) {
          await sleep(100);
          continue;
        }
      }
      const before = peer.acks.length;
      peer.write(frameMllp(oru(id, 'RESTARTLAB')));
      const answered = await peer.waitForAcks(before + 1, 15_000).then(
        () => peer?.acks[before],
        () => undefined,
      );
      if (answered === undefined) {
        peer.close();
        continue;
      }
      const ack = msa(answered);
      if (ack.code === 'AA' && ack.controlId === id) {
        acked.push(id);
        break;
      }
      naks.push(`${id} ${ack.code} ${ack.text}`);
      await sleep(100);
    }
  }
  peer?.close();
}

describe.skipIf(unavailable !== undefined)(
  `PostgreSQL restarted under load${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    it('reconnects, loses no acknowledged message, stores none twice, and acknowledges none it did not commit', async () => {
      const url = (server as PrivatePostgres).url;
      const configDir = writeTestConfig({}, `store:\n  driver: postgres\n  url: ${url}\n`);
      const dataDir = mkdtempSync(join(tmpdir(), 'sb-pg-restart-'));
      dirs.push(configDir, dataDir);
      const started = await startSwitchboardChild(configDir, dataDir);
      child = started.child;

      const acked: string[] = [];
      const naks: string[] = [];
      let restarted = false;
      let afterRestart = 0;
      const done = () => restarted && acked.length >= afterRestart + 400;
      const senders = [1, 2, 3, 4].map((c) => send(started.mllp, `PGR-${c}`, done, acked, naks));
      while (acked.length < 400) await sleep(10);
      const ackedBefore = acked.length;
      await (server as PrivatePostgres).crash(2000);
      afterRestart = acked.length;
      restarted = true;
      await Promise.all(senders);

      // While it was down a message was refused in HL7's words (AR, "send it again"), never dropped; then
      // the instance served again without being restarted.
      expect(naks.filter((n) => !/ AR message could not be stored; send it again$/.test(n))).toEqual([]);
      expect(ackedBefore).toBeGreaterThanOrEqual(400);
      expect(acked.length).toBeGreaterThanOrEqual(afterRestart + 400);
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        const { rows } = await db.query<{ control_id: string; n: string }>(
          "SELECT control_id, count(*) AS n FROM messages WHERE sending_application = 'RESTARTLAB' GROUP BY control_id",
        );
        const stored = new Map(rows.map((r) => [r.control_id, Number(r.n)]));
        expect(acked.filter((id) => !stored.has(id))).toEqual([]);
        expect([...stored].filter(([, n]) => n > 1)).toEqual([]);
      } finally {
        await db.end();
      }
      expect(child.exitCode).toBeNull();
    }, 180_000);
  },
);
