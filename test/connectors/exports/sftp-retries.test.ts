/**
 * An export's deliveries through the outbox worker to a real SFTP server: permission denied and a full
 * disk are retried with the connector's backoff and then dead-lettered with the server's reason; re-driven
 * once the server is fixed, the file arrives. A changed host key is dead at the first attempt.
 */
import { readdir } from 'node:fs/promises';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileDatePattern } from '../../../src/connectors/files/date-pattern.ts';
import { DeliveryWorker } from '../../../src/delivery/outbox/worker.ts';
import { type SftpTestServer, startSftpServer } from '../../support/sftp/sshd.ts';
import { ExportBench, firstSchedule } from './export-hospital.ts';

let server: SftpTestServer;
let bench: ExportBench;
let now: Date;

beforeAll(async () => {
  server = await startSftpServer((line) => console.log(`[sftp-retries] ${line}`));
}, 30_000);
afterAll(async () => {
  await server?.stop();
});
beforeEach(async () => {
  bench = new ExportBench();
  await bench.seed(firstSchedule, new Date('2026-10-30T12:00:00Z'));
  now = new Date('2026-11-01T14:00:00Z');
});
afterEach(async () => {
  await bench.close();
});

const connector = (hostKey: string) => `
connectors:
  - id: epic-ocf
    kind: epic-on-call-finder
    target: sftp://${server.username}@${server.host}:${server.port}${server.remoteFolder}
    credentials: { privateKey: '\${EPIC_SFTP_KEY}' }
    personId: uniqueId
    cadence: every 5 minutes
    retry: { firstDelayMs: 60000, factor: 2, maxAttempts: 3 }
    options:
      hostKey: '${hostKey}'
      assignmentFields:
        cardiology-oncall: { teamId: '1001' }
`;

async function deliver(hostKey = server.hostKey) {
  const settings = bench.settings(connector(hostKey), { EPIC_SFTP_KEY: server.privateKey });
  bench.setNow(now);
  const { connector: c, sender, ctx } = bench.parts(settings);
  const worker = new DeliveryWorker({
    outbox: bench.store.outbox,
    now: () => now,
    log: pino({ level: 'silent' }),
  });
  worker.register('connector:epic-on-call-finder', { send: (d) => sender.send(d), backoff: settings.retry });
  const plan = await c.planWindow([], { from: now, to: now }, ctx.planning);
  await bench.store.connectors.enqueue(plan.jobs, now);
  return worker;
}

const rows = () => bench.store.outbox.list({ channel: 'connector:epic-on-call-finder' });

describe('file deliveries retried and dead-lettered', () => {
  it('permission denied: retried with backoff, dead with the reason, delivered when re-driven', async () => {
    await server.denyWrites(true);
    try {
      const worker = await deliver();
      for (let attempt = 0; attempt < 3; attempt++) {
        await worker.runDue();
        const [row] = await rows();
        expect(row.lastError).toMatch(/permission denied/i);
        now = new Date(row.dueAt.getTime() + 1);
        bench.setNow(now);
      }
      const [dead] = await rows();
      expect(dead.state).toBe('dead');
      expect(dead.attempts).toBe(3);
      await server.denyWrites(false);
      expect(await bench.store.connectors.redrive('epic-ocf', 'all', now)).toBe(1);
      await worker.runDue();
      const [sent] = await rows();
      expect(sent.state).toBe('sent');
      expect(sent.result).toMatch(/epic_on_call_\d{8}_\d{6}\.csv: full file, 2 rows/);
    } finally {
      await server.denyWrites(false);
    }
  });

  it('a full disk on the server: retried, then dead with what the server answered', async () => {
    const nameAt = compileDatePattern("'epic_on_call_'yyyyMMdd_HHmmss'.csv'", 'America/New_York');
    const worker = await deliver();
    for (let attempt = 0; attempt < 3; attempt++) {
      // Each attempt writes a file named for its own time; that one finds the disk full.
      await server.fillDiskFor(nameAt(now));
      await worker.runDue();
      const [row] = await rows();
      expect(row.lastError).toMatch(
        /epic_on_call_\d{8}_\d{6}\.csv to 127\.0\.0\.1:\d+: (Failure|.*No space)/,
      );
      now = new Date(row.dueAt.getTime() + 1);
      bench.setNow(now);
    }
    const [dead] = await rows();
    expect(dead.state).toBe('dead');
    expect(dead.attempts).toBe(3);
  });

  it('a changed host key: dead at the first attempt, naming both fingerprints, nothing written', async () => {
    const pinned = server.hostKey;
    const before = await readdir(server.localFolder);
    await server.changeHostKey();
    const worker = await deliver(pinned);
    await worker.runDue();
    const [row] = await rows();
    expect(row.state).toBe('dead');
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/refused: the server's host key SHA256:\S+ is not the pinned SHA256:/);
    expect(await readdir(server.localFolder)).toEqual(before);
  });
});
