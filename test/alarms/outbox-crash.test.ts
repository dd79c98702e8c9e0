/**
 * kill -9 between an alert's commit and its notice, for each channel: a page to a carrier, a PCD-05 report,
 * a WCTP push and a WCTP poll queue. The receiver is unreachable (a gate that holds every connection) when
 * the process dies; after a restart with the receiver reachable, each notice arrives exactly once.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { TestWctpCarrier } from '../../src/delivery/paging/test-carriers.ts';
import {
  buildConfirmation,
  parseWctp,
  type WctpRequest,
  wctpSuccess,
} from '../../src/protocols/wctp/index.ts';
import { pcd04 } from '../../src/routing/sources/pcd-fixtures.ts';
import type { Store } from '../../src/store/port.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';
import { validatePcd05 } from '../support/pcd05-validator.ts';
import { postWctp, submitRequest, WCTP_ENV, writeWctpHospital } from '../wctp/wctp-hospital.ts';
import { field, TestAlertReporter } from './mllp-reporter.ts';

const childScript = new URL('./crash-child.ts', import.meta.url).pathname;
const children = new Set<ChildProcess>();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function startChild(configDir: string, dataDir: string, env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ child: ChildProcess; mllp: number; http: string }>((resolve, reject) => {
    const child = fork(childScript, [configDir, dataDir], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    child.once('message', (m: { mllp: number; http: number }) =>
      resolve({ child, mllp: m.mllp, http: `http://127.0.0.1:${m.http}` }),
    );
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
}

async function kill9(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/**
 * A TCP gate in front of a receiver: while shut it accepts connections and holds them unanswered (a
 * carrier that hangs); once opened it passes each new connection through to the receiver.
 */
class Gate {
  connections = 0;
  private target?: number;
  private readonly held: Socket[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Gate> {
    const server = createTcpServer();
    const gate = new Gate(server);
    server.on('connection', (socket) => gate.take(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return gate;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  open(target: number) {
    this.target = target;
    for (const s of this.held.splice(0)) s.destroy();
  }

  close() {
    for (const s of this.held.splice(0)) s.destroy();
    return new Promise((r) => this.server.close(r));
  }

  private take(socket: Socket) {
    this.connections += 1;
    socket.on('error', () => {});
    if (this.target === undefined) {
      this.held.push(socket);
      return;
    }
    const upstream = connect(this.target, '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  }
}

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The child's store, read from this process while the child runs (WAL allows it). */
function probe(dataDir: string): Store {
  const store = openSqliteStore(dataDir);
  cleanups.push(() => store.close());
  return store;
}

/** Shifts around the real "now", so the child (real clock) finds someone on call. */
function shiftsAroundNow() {
  const now = Date.now();
  const local = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  const span = `start: '${local(now - 3600_000)}+00:00', end: '${local(now + 3600_000)}+00:00'`;
  return `    - { assignment: hospitalist, person: p-one, ${span}, callOrder: 1 }
    - { assignment: supervisor, person: p-sup, ${span} }`;
}

function folders() {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-outbox-crash-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  return dataDir;
}

function append(configDir: string, file: string, text: string) {
  const path = join(configDir, file);
  writeFileSync(path, `${readFileSync(path, 'utf8')}${text}`);
}

/** Waits a few worker polls more, so that a second delivery would have had its chance. */
const settle = () => new Promise((r) => setTimeout(r, 2500));

// Each case starts Switchboard in a child process twice (tsx loads the sources each time): a loaded machine needs
// more than the suite's default guard of 30 s.
describe('kill -9 between an alert and its notice: delivered once after a restart', {
  timeout: 90_000,
}, () => {
  it('a page to a carrier', async () => {
    const gate = await Gate.start();
    const carrier = await TestWctpCarrier.start();
    cleanups.push(
      () => gate.close(),
      () => carrier.close(),
    );
    const configDir = await writeBehaviourHospital({ shifts: shiftsAroundNow() });
    const directory = join(configDir, 'directory.yaml');
    writeFileSync(
      directory,
      readFileSync(directory, 'utf8').replace(
        '{ kind: app, address: dr.one } ]',
        "{ kind: app, address: dr.one }, { kind: pager, address: '617-555-0101' } ]",
      ),
    );
    append(
      configDir,
      'switchboard.yaml',
      `paging:
  carriers:
    - { name: metro, kind: wctp, url: 'http://127.0.0.1:${gate.port}/wctp', senderId: switchboard }
  numbers:
    - { prefix: '617', carrier: metro }
  retry: { firstDelayMs: 300, factor: 1, maxDelayMs: 300, maxAttempts: 20 }
`,
    );
    const dataDir = folders();
    const first = await startChild(configDir, dataDir);
    const client = new MllpClient({ host: '127.0.0.1', port: first.mllp });
    await client.connect();
    expect(await client.send(result('2823-3', 'LL', '2.3', 'CRASH-PAGE-1'))).toContain('MSA|AA|');
    await client.close();
    // The page is committed with the notification and its first attempt hangs at the carrier.
    await until(() => gate.connections > 0, 'a page attempt');
    await kill9(first.child);

    gate.open(Number(new URL(carrier.url).port));
    const second = await startChild(configDir, dataDir);
    await until(() => carrier.pages.length > 0, 'the page at the carrier');
    await settle();
    expect(carrier.pages).toHaveLength(1);
    expect(carrier.pages[0]!.recipient.recipientID).toBe('617-555-0101');
    const store = probe(dataDir);
    expect((await store.outbox.list({ channel: 'page' })).map((d) => d.state)).toEqual(['sent']);
    await kill9(second.child);
  });

  it('a PCD-05 report to the alarm reporter', async () => {
    const gate = await Gate.start();
    const reporter = await TestAlertReporter.start();
    cleanups.push(
      () => gate.close(),
      () => reporter.close(),
    );
    const configDir = await writeBehaviourHospital({
      shifts: shiftsAroundNow(),
      rules: `rules:
  - id: pcd-to-supervisor
    match: { type: ORU, trigger: R40 }
    recipients: [ { onCall: supervisor } ]
    priority: high
    title: "alarm"
`,
    });
    append(
      configDir,
      'switchboard.yaml',
      `pcd:
  reporters:
    - { application: MONITOR_GW, host: 127.0.0.1, port: ${gate.port}, ackTimeoutMs: 20000, statuses: [delivered] }
paging:
  retry: { firstDelayMs: 300, factor: 1, maxDelayMs: 300, maxAttempts: 20 }
`,
    );
    const dataDir = folders();
    const first = await startChild(configDir, dataDir);
    const sup = await FakeDevice.connect(first.http, await signIn(first.http, 'sup'), 'sup');
    const client = new MllpClient({ host: '127.0.0.1', port: first.mllp });
    await client.connect();
    expect(
      await client.send(pcd04({ controlId: 'CRASH-PCD-1', alertId: 'HR-9', phase: 'start', priority: 'PH' })),
    ).toMatch(/MSA\|[AC]A\|/);
    await client.close();
    await sup.waitForAlert();
    // 'delivered' committed with its PCD-05; the report's first attempt waits at the gate for an ACK.
    await until(() => gate.connections > 0, 'a PCD-05 attempt');
    await kill9(first.child);
    sup.close();

    gate.open(reporter.port);
    const second = await startChild(configDir, dataDir);
    await reporter.waitFor(1, 15_000);
    await settle();
    expect(reporter.received).toHaveLength(1);
    expect(field(reporter.received[0]!, 'PRT', 3)).toBe('RESPONSE^DELIVERED^IHE_PCD_ACM');
    expect(
      validatePcd05(reporter.received[0]!, {
        onsetControlId: 'CRASH-PCD-1',
        onsetFillerOrder: 'HR-9^MONITOR_GW^0012210000000001^EUI-64',
      }),
    ).toEqual([]);
    await kill9(second.child);
  });

  it('a WCTP status pushed to the sender', async () => {
    const gate = await Gate.start();
    const received: WctpRequest[] = [];
    const listener: HttpServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push(parseWctp(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'text/xml' }).end(buildConfirmation(wctpSuccess()));
      });
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    cleanups.push(
      () => gate.close(),
      () => new Promise<void>((r) => listener.close(() => r())),
    );
    const configDir = await writeWctpHospital();
    const dataDir = folders();
    const first = await startChild(configDir, dataDir, WCTP_ENV);
    const control = `sendResponsesToID="http://127.0.0.1:${gate.port}/wctp" notifyWhenQueued="true"`;
    const answer = await postWctp(
      first.http,
      submitRequest('RRT', 'CODE BLUE 4W 401', { messageID: 'CRASH-PUSH-1', control }),
    );
    expect(answer.text).toContain('wctp-Success');
    // QUEUED is committed with the alert; its push hangs at the gate.
    await until(() => gate.connections > 0, 'a push attempt');
    await kill9(first.child);

    gate.open((listener.address() as { port: number }).port);
    const second = await startChild(configDir, dataDir, WCTP_ENV);
    await until(() => received.length > 0, 'the push at the sender');
    await settle();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      operation: 'StatusInfo',
      responseToMessageID: 'CRASH-PUSH-1',
      status: { kind: 'notification', type: 'QUEUED' },
    });
    await kill9(second.child);
  });

  it('a WCTP status waiting for the sender to poll', async () => {
    const configDir = await writeWctpHospital();
    const dataDir = folders();
    const first = await startChild(configDir, dataDir, WCTP_ENV);
    await postWctp(
      first.http,
      submitRequest('RRT', 'CODE BLUE 4W 402', {
        messageID: 'CRASH-POLL-1',
        control: 'notifyWhenQueued="true"',
      }),
    );
    // Killed as soon as the alert is committed: its notice may or may not have reached the poll queue.
    const store = probe(dataDir);
    await until(async () => (await store.alerts.list({})).length > 0, 'the alert');
    await kill9(first.child);

    const second = await startChild(configDir, dataDir, WCTP_ENV);
    const poll = async (confirm = '') =>
      parseWctp(
        (
          await postWctp(
            second.http,
            `<?xml version="1.0"?><wctp-Operation wctpVersion="1.3"><wctp-PollForMessages pollerID="nursecall@test.example" securityCode="nc-test-code" maxMessagesInBatch="10">${confirm}</wctp-PollForMessages></wctp-Operation>`,
          )
        ).text,
      );
    let answer = await poll();
    await until(async () => {
      answer = await poll();
      return answer.operation === 'PollResponse' && answer.result.kind === 'messages';
    }, 'the notice in the poll queue');
    await settle();
    answer = await poll();
    if (answer.operation !== 'PollResponse' || answer.result.kind !== 'messages')
      throw new Error(`no messages: ${JSON.stringify(answer)}`);
    expect(answer.result.messages).toHaveLength(1);
    expect(answer.result.messages[0]!.message).toMatchObject({
      operation: 'StatusInfo',
      responseToMessageID: 'CRASH-POLL-1',
      status: { kind: 'notification', type: 'QUEUED' },
    });
    const ack = `<wctp-MessageReceived sequenceNo="${answer.result.messages[0]!.sequenceNo}"><wctp-Success successCode="200"/></wctp-MessageReceived>`;
    expect(await poll(ack)).toMatchObject({ result: { kind: 'none' } });
    await kill9(second.child);
  });
});
