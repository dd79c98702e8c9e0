/**
 * The AnesthesiaGo-style partner push against a local HTTP receiver: the window as JSON with the partner's
 * employee ids and assignment ids (one of ours mapped to two of theirs), only the mapped assignments, a
 * change planned as a push, the same schedule not sent twice, 503 retried with its Retry-After, 400 dead.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TargetError } from '../../../src/connectors/errors.ts';
import type { PartnerSchedule } from '../../../src/connectors/partner/partner-push.ts';
import { ExportBench, firstSchedule, secondSchedule } from './export-hospital.ts';

interface Received {
  headers: IncomingMessage['headers'];
  body: PartnerSchedule;
}

let bench: ExportBench;
let receiver: Server;
let url: string;
const received: Received[] = [];
let answers: Array<{ status: number; headers?: Record<string, string> }> = [];

beforeEach(async () => {
  bench = new ExportBench();
  await bench.seed(firstSchedule, new Date('2026-10-30T12:00:00Z'));
  received.length = 0;
  answers = [];
  receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => {
      text += d;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) });
      const a = answers.shift() ?? { status: 200 };
      res.writeHead(a.status, a.headers).end(a.status === 200 ? 'ok' : 'busy');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/api/schedule`;
});

afterEach(async () => {
  await new Promise((r) => receiver.close(r));
  await bench.close();
});

const yaml = () => `
connectors:
  - id: anesthesiago
    kind: partner-push
    target: ${url}
    credentials: { token: '\${PARTNER_TOKEN}' }
    personId: employeeId
    window: { daysBack: 0, daysForward: 7 }
    assignments:
      anesthesia-or: [AG-OR-MAIN, AG-OR-CALL]
      cardiology-oncall: AG-CARDIAC
`;

describe('partner push', () => {
  it('pushes the mapped window with the crosswalk ids, and does not send the same schedule twice', async () => {
    const s = bench.settings(yaml(), { PARTNER_TOKEN: 'sekrit' });
    expect(await bench.run(s, new Date('2026-11-01T14:00:00Z'))).toMatch(/HTTP 200: 6 shifts/);
    expect(received).toHaveLength(1);
    const { headers, body } = received[0];
    expect(headers.authorization).toBe('Bearer sekrit');
    expect(headers['idempotency-key']).toBe(body.hash);
    expect(body.timeZone).toBe('America/New_York');
    expect(body.shifts.map((x) => `${x.shiftId} ${x.employeeId} ${x.assignmentId} ${x.start}`)).toEqual([
      's1 E100 AG-CARDIAC 2026-10-31T23:00:00.000Z',
      's2 E200 AG-CARDIAC 2026-10-31T23:00:00.000Z',
      's5 E200 AG-OR-MAIN 2026-11-02T12:00:00.000Z',
      's5 E200 AG-OR-CALL 2026-11-02T12:00:00.000Z',
      's6 E100 AG-OR-MAIN 2026-11-08T00:00:00.000Z',
      's6 E100 AG-OR-CALL 2026-11-08T00:00:00.000Z',
    ]);
    // The same schedule again: nothing sent.
    expect(await bench.run(s, new Date('2026-11-01T14:05:00Z'))).toMatch(/unchanged/);
    expect(received).toHaveLength(1);
  });

  it('plans a push for a change to a mapped assignment only, and sends the new schedule', async () => {
    const s = bench.settings(yaml(), { PARTNER_TOKEN: 't' });
    await bench.run(s, new Date('2026-11-01T14:00:00Z'));
    const { connector, ctx } = bench.parts(s);
    const before = await bench.store.schedules.lastChangeSeq();
    await bench.seed(secondSchedule, new Date('2026-11-01T15:00:00Z'));
    const changes = await bench.store.schedules.changes({ after: before });
    const hospitalistOnly = changes.filter((c) => c.assignmentId === 'hospitalist');
    expect((await connector.planChanges(hospitalistOnly, ctx.planning)).jobs).toEqual([]);
    expect((await connector.planChanges(changes, ctx.planning)).jobs).toHaveLength(1);
    await bench.run(s, new Date('2026-11-01T15:01:00Z'));
    expect(received).toHaveLength(2);
    // s2 is Chen's now (E300), s5 deleted.
    expect(received[1].body.shifts.map((x) => `${x.shiftId} ${x.employeeId}`)).toEqual([
      's1 E100',
      's2 E300',
      's6 E100',
      's6 E100',
    ]);
  });

  it('a busy partner is retried after its Retry-After; a refused body is dead at once', async () => {
    const s = bench.settings(yaml(), { PARTNER_TOKEN: 't' });
    answers = [{ status: 503, headers: { 'retry-after': '120' } }, { status: 400 }];
    const busy = await bench.run(s, new Date('2026-11-01T14:00:00Z')).catch((e) => e);
    expect(busy).toBeInstanceOf(TargetError);
    expect(busy.permanent).toBe(false);
    expect(busy.retryAfterMs).toBe(120_000);
    const refused = await bench.run(s, new Date('2026-11-01T14:02:00Z')).catch((e) => e);
    expect(refused.permanent).toBe(true);
    expect(refused.message).toMatch(/HTTP 400/);
  });
});
