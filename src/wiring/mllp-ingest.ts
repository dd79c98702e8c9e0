import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { plainThreadModule } from '../kit/thread-module.ts';
import type { ListenerHealth, MllpListenerOptions } from '../listeners/mllp/server.ts';
import type { TrafficBatch } from '../listeners/mllp/traffic-tally.ts';
import type { InboundPort } from '../routing/inbound-port.ts';
import { EmbeddedInbox } from '../store/inbox/embedded-inbox.ts';
import type { MessageStore } from '../store/port.ts';
import type { KnownSenders } from './known-senders.ts';
import type { MllpThreadData } from './mllp-thread.ts';

export interface MllpIngestDeps {
  messages: MessageStore;
  /** Puts every write so far on the disk (after replaying the journal, and at a graceful stop). */
  durable: () => Promise<void>;
  inbound: InboundPort;
  log: Logger;
  application: string;
  facility: string;
  /** Folder of the inbound journal (inside the data folder). */
  journalDir: string;
  logLevel: string;
  /** Hears what the thread counted per sender, every half second at most (operations dashboard, /metrics). */
  onTraffic?: (batch: TrafficBatch) => void;
  /** Known senders kept in the store: the reserve starts with them, and learns into them. */
  knownSenders?: KnownSenders;
}

type FromThread =
  | { kind: 'ready'; host: string; port: number }
  | { kind: 'failed'; error: string }
  | { kind: 'health'; health: ListenerHealth }
  | { kind: 'log'; line: string }
  | { kind: 'known'; address: string }
  | { kind: 'traffic'; batch: TrafficBatch };

const levels: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * HL7 over MLLP on the embedded store: the MLLP listener runs on a thread of its own with the store's
 * journal inbox (mllp-thread.ts), and the store's EmbeddedInbox, on this thread, turns what it accepted
 * into rows and hands them to routing. This class supervises that thread: it starts it after the inbox
 * replayed what an earlier run left, restarts it when it dies, relays its health and logs, and bounds
 * its stop. What the journal holds, and when it may go, is the inbox's business.
 */
export class MllpIngest {
  private worker?: Worker;
  private readonly inbox: EmbeddedInbox;
  private state: ListenerHealth;
  private stopping = false;
  /** The port the first thread bound (a restarted thread takes the same one, even when configured as 0). */
  private boundPort?: number;
  /** Addresses that sent stored messages since start: a restarted thread keeps its reserve for them. */
  private readonly knownSenders = new Set<string>();
  /** Routing's backlog is at its bound (routingBehind): the thread reads nothing meanwhile. */
  private routingIsBehind = false;

  constructor(
    private readonly config: MllpListenerOptions & {
      maxUnstoredMessages: number;
      shutdownGraceSeconds: number;
    },
    private readonly deps: MllpIngestDeps,
  ) {
    for (const address of deps.knownSenders?.recent ?? []) this.knownSenders.add(address);
    this.inbox = new EmbeddedInbox({
      messages: deps.messages,
      durable: deps.durable,
      log: deps.log,
      journalDir: deps.journalDir,
    });
    this.inbox.onStored((arrival) => deps.inbound.accept(arrival));
    this.state = {
      state: 'stopped',
      tls: config.tls.enabled,
      connections: 0,
      messagesReceived: 0,
      refusedConnections: { notAllowed: 0, perAddress: 0, full: 0, reserved: 0 },
      connectionsWaitingForAckReader: 0,
      ackBacklogBytes: 0,
      largestAckBacklogBytes: 0,
      holdingSenders: false,
    };
  }

  async start(): Promise<{ host: string; port: number }> {
    await this.inbox.replay();
    this.state = { ...this.state, state: 'starting' };
    const channel = this.inbox.openJournal();
    const data: MllpThreadData = {
      // The compiled build (npm run build) runs .js files; a clone's .ts thread is bundled into plain
      // JavaScript (kit/thread-module.ts): through tsx's loader it cost 261-271 ms of CPU and 36-40 MB more
      // at every start (bench/README.md, exports).
      entry: await plainThreadModule(
        new URL(import.meta.url.endsWith('.ts') ? './mllp-thread.ts' : './mllp-thread.js', import.meta.url)
          .href,
      ),
      listener: {
        host: this.config.host,
        port: this.boundPort ?? this.config.port,
        maxFrameBytes: this.config.maxFrameBytes,
        idleTimeoutSeconds: this.config.idleTimeoutSeconds,
        maxConnections: this.config.maxConnections,
        maxConnectionsPerAddress: this.config.maxConnectionsPerAddress,
        allowedSenders: this.config.allowedSenders,
        reservedConnections: this.config.reservedConnections,
        tls: this.config.tls,
      },
      knownSenders: [...this.knownSenders],
      application: this.deps.application,
      facility: this.deps.facility,
      journalDir: this.deps.journalDir,
      inbox: channel,
      logLevel: this.deps.logLevel,
      healthEveryMs: 500,
      pauseAt: this.config.maxUnstoredMessages,
      resumeAt: Math.floor(this.config.maxUnstoredMessages / 2),
      routingBehind: this.routingIsBehind,
    };
    const worker = new Worker(new URL('../kit/thread-boot.mjs', import.meta.url), {
      workerData: data,
      transferList: [channel],
      // A process started with `--import tsx` would load tsx into the thread too: it runs plain JavaScript.
      execArgv: [],
    });
    this.worker = worker;
    let ready = false;
    return new Promise((resolve, reject) => {
      worker.on('message', (message: FromThread) => {
        if (message.kind === 'ready') {
          ready = true;
          this.boundPort = message.port;
          resolve({ host: message.host, port: message.port });
        } else if (message.kind === 'failed') reject(new Error(message.error));
        else this.onMessage(message);
      });
      worker.on('error', (err) => {
        this.deps.log.error({ err }, 'MLLP ingest thread failed');
        reject(err);
      });
      worker.on('exit', (code) => {
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.inbox.journalEnded();
        // Only a thread that was serving is started again; one that could not start said why.
        if (ready) this.onExit(code);
      });
    });
  }

  health(): ListenerHealth {
    return this.state;
  }

  /** Holds the senders (reads nothing from them) while routing is behind, and reads again once not. */
  routingBehind(behind: boolean): void {
    this.routingIsBehind = behind;
    this.worker?.postMessage({ kind: 'routing', behind });
  }

  /**
   * Resolves once every message acknowledged so far is in the store (visible to readers; on the disk in
   * the journal already). For callers that read the store right after an ACK, such as tests.
   */
  ingested(): Promise<void> {
    return this.inbox.ingested();
  }

  /**
   * Ends the thread at once, as a crash would: open connections drop, what was journaled stays, and the
   * thread is started again (journal replayed first) a second later. For failover drills and tests.
   */
  async crashThread(): Promise<void> {
    await this.worker?.terminate();
  }

  /**
   * Graceful stop, within `shutdownGraceSeconds`: the thread stops accepting and reading, acknowledges
   * what it has read, and its inbox sends everything over; the store keeps it. Should the thread not be
   * done in time it is ended, and what it journaled stays in the journal, replayed into the store at the
   * next start (the journal is on the disk, so nothing acknowledged is lost; rows already stored are
   * skipped then).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    this.state = { ...this.state, state: 'draining' };
    const handedOver = this.inbox.journalClosed().then(() => true);
    worker.postMessage({ kind: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.config.shutdownGraceSeconds * 1000);
    });
    const complete = await Promise.race([handedOver, late]);
    clearTimeout(timer);
    this.worker = undefined;
    await worker.terminate();
    if (!complete)
      this.deps.log.warn(
        { graceSeconds: this.config.shutdownGraceSeconds },
        'MLLP stop: the thread did not finish within the grace',
      );
    await this.inbox.close(complete);
    this.state = { ...this.state, state: 'stopped' };
  }

  private onMessage(message: FromThread): void {
    switch (message.kind) {
      case 'health':
        this.state = this.stopping && message.health.state === 'listening' ? this.state : message.health;
        break;
      case 'log':
        this.relayLog(message.line);
        break;
      case 'known':
        this.knownSenders.add(message.address);
        this.deps.knownSenders?.remember(message.address);
        break;
      case 'traffic':
        this.deps.onTraffic?.(message.batch);
        break;
    }
  }

  private relayLog(line: string): void {
    try {
      const { level, msg, ...fields } = JSON.parse(line) as { level: number; msg?: string };
      this.deps.log[levels[level] ?? 'info'](fields, msg ?? '');
    } catch {
      this.deps.log.info({ line }, 'MLLP ingest thread');
    }
  }

  private onExit(code: number): void {
    if (this.stopping) return;
    this.state = { ...this.state, state: 'failed', error: `ingest thread exited (${code})` };
    this.deps.log.error({ code }, 'MLLP ingest thread stopped unexpectedly; restarting it');
    this.restartAfter(1000);
  }

  /** Starts a new thread after `delayMs`, and keeps trying (up to every 30 s) while that fails. */
  private restartAfter(delayMs: number): void {
    setTimeout(() => {
      if (this.stopping) return;
      this.start().catch((err: Error) => {
        this.state = { ...this.state, state: 'failed', error: `restart failed: ${err.message}` };
        this.deps.log.error({ err }, 'MLLP ingest thread could not restart; trying again');
        this.restartAfter(Math.min(delayMs * 2, 30_000));
      });
    }, delayMs).unref();
  }
}
