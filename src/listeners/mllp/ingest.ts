import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { InboundPort } from '../../routing/inbound-port.ts';
import { decodeInbound } from '../../store/journal/record.ts';
import { clearJournal, replayInboundJournal } from '../../store/journal/replay.ts';
import type { MessageStore } from '../../store/port.ts';
import type { IngestWorkerData } from './ingest-worker.ts';
import type { JournaledRecord } from './journal-inbox.ts';
import type { ListenerHealth, MllpListenerOptions } from './server.ts';

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
}

type FromWorker =
  | { kind: 'ready'; host: string; port: number }
  | { kind: 'failed'; error: string }
  | { kind: 'stored'; records: Array<{ seq: number; payload: Uint8Array }> }
  | { kind: 'health'; health: ListenerHealth }
  | { kind: 'log'; line: string }
  | { kind: 'synced'; id: number }
  | { kind: 'known'; address: string }
  | { kind: 'stopped' };

const levels: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * The MLLP listener, run on a thread of its own (ingest-worker.ts): that thread frames, journals and
 * acknowledges; this side, on the main thread, writes each journaled message into the store and hands it
 * to routing, and tells the thread which journal records the store holds on the disk so it can drop them.
 *
 * An acknowledged message is durable in the journal before its row exists, so after a crash `start`
 * first replays whatever the journal still holds into the store (rows already there are skipped as
 * duplicates), makes that durable, and only then clears the journal and opens the port again.
 */
export class MllpIngest {
  private worker?: Worker;
  private state: ListenerHealth;
  private stopping = false;
  private syncs = new Map<number, () => void>();
  private nextSync = 0;
  /** Journal records that could not be stored yet (a full disk, say): retried, and never confirmed past. */
  private unstored: JournaledRecord[] = [];
  private retryTimer?: NodeJS.Timeout;
  private stopped?: () => void;
  /** The port the first thread bound (a restarted thread takes the same one, even when configured as 0). */
  private boundPort?: number;
  /** Addresses that sent stored messages since start: a restarted thread keeps its reserve for them. */
  private readonly knownSenders = new Set<string>();

  constructor(
    private readonly config: MllpListenerOptions & {
      maxUnstoredMessages: number;
      shutdownGraceSeconds: number;
    },
    private readonly deps: MllpIngestDeps,
  ) {
    this.state = {
      state: 'stopped',
      tls: config.tls.enabled,
      connections: 0,
      messagesReceived: 0,
      refusedConnections: { notAllowed: 0, perAddress: 0, full: 0, reserved: 0 },
      connectionsWaitingForAckReader: 0,
      ackBacklogBytes: 0,
      largestAckBacklogBytes: 0,
    };
  }

  async start(): Promise<{ host: string; port: number }> {
    const replayed = await replayInboundJournal(this.deps.journalDir, this.deps.messages, this.deps.durable);
    if (replayed > 0)
      this.deps.log.info({ messages: replayed }, 'stored messages replayed from the inbound journal');
    this.state = { ...this.state, state: 'starting' };
    const data: IngestWorkerData = {
      entry: new URL('./ingest-worker.ts', import.meta.url).href,
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
      logLevel: this.deps.logLevel,
      healthEveryMs: 500,
      pauseAt: this.config.maxUnstoredMessages,
      resumeAt: Math.floor(this.config.maxUnstoredMessages / 2),
    };
    const worker = new Worker(new URL('./ingest-boot.mjs', import.meta.url), { workerData: data });
    this.worker = worker;
    let ready = false;
    return new Promise((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
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
        if (this.worker === worker) this.worker = undefined;
        // Only a thread that was serving is started again; one that could not start said why.
        if (ready) this.onExit(code);
      });
    });
  }

  health(): ListenerHealth {
    return this.state;
  }

  /**
   * Resolves once every message acknowledged so far is in the store (visible to readers; on the disk in
   * the journal already). For callers that read the store right after an ACK, such as tests.
   */
  ingested(): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    const id = ++this.nextSync;
    return new Promise((resolve) => {
      this.syncs.set(id, resolve);
      worker.postMessage({ kind: 'sync', id });
    });
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
   * what it has read, and hands it over; this side stores it. Should the thread not be done in time it is
   * ended, and what it journaled stays in the journal, replayed into the store at the next start (the
   * journal is on the disk, so nothing acknowledged is lost; rows already stored are skipped then).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    this.state = { ...this.state, state: 'draining' };
    const stopped = new Promise<boolean>((resolve) => {
      this.stopped = () => resolve(true);
    });
    worker.postMessage({ kind: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.config.shutdownGraceSeconds * 1000);
    });
    const handedOver = await Promise.race([stopped, late]);
    clearTimeout(timer);
    await worker.terminate();
    this.worker = undefined;
    clearTimeout(this.retryTimer);
    this.retryUnstored();
    await this.deps.durable();
    // Once everything the journal held is in the store and on the disk, the journal can go.
    if (handedOver && this.unstored.length === 0) clearJournal(this.deps.journalDir);
    else
      this.deps.log.warn(
        { graceSeconds: this.config.shutdownGraceSeconds, unstored: this.unstored.length },
        'MLLP stop: the inbound journal is kept and replayed into the store at the next start',
      );
    for (const resolve of this.syncs.values()) resolve();
    this.syncs.clear();
    this.state = { ...this.state, state: 'stopped' };
  }

  private onMessage(message: FromWorker): void {
    switch (message.kind) {
      case 'stored':
        this.store(
          message.records.map((r) => ({
            seq: r.seq,
            payload: Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength),
          })),
        );
        break;
      case 'health':
        this.state = this.stopping && message.health.state === 'listening' ? this.state : message.health;
        break;
      case 'log':
        this.relayLog(message.line);
        break;
      case 'synced':
        this.syncs.get(message.id)?.();
        this.syncs.delete(message.id);
        break;
      case 'known':
        this.knownSenders.add(message.address);
        break;
      case 'stopped':
        this.stopped?.();
        break;
    }
  }

  /** Writes journaled messages into the store in journal order and hands the new ones to routing. */
  private store(records: JournaledRecord[]): void {
    for (const record of records) {
      const message = decodeInbound(record.payload);
      this.deps.messages.saveJournaled(message).then(
        (saved) => {
          if (saved.duplicate) {
            this.deps.log.info(
              { peer: message.peer, controlId: message.controlId, messageId: saved.id },
              'duplicate HL7 message acknowledged again',
            );
            return;
          }
          try {
            this.deps.inbound.accept({ messageId: saved.id, listener: message.listener, raw: message.raw });
          } catch (err) {
            this.deps.log.error(
              { err, messageId: saved.id },
              'routing core refused a stored message; it stays received',
            );
          }
        },
        (err: unknown) => {
          this.deps.log.error(
            { err, controlId: message.controlId },
            'could not store a journaled HL7 message; kept in the journal and retried',
          );
          this.storeAgainLater([record]);
        },
      );
    }
    if (records.length > 0 && this.worker) void this.confirmWhenSettled(this.worker, records);
  }

  private storeAgainLater(records: JournaledRecord[]): void {
    this.unstored.push(...records);
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.retryUnstored();
    }, 1000);
  }

  private retryUnstored(): void {
    const again = this.unstored;
    this.unstored = [];
    if (again.length > 0) this.store(again);
  }

  /**
   * Tells the thread which records the store holds on the disk, never past one still unstored. When a
   * commit failed meanwhile (its rows rolled back), the records are stored again instead: rows that did
   * reach the disk are skipped as duplicates.
   */
  private async confirmWhenSettled(worker: Worker, records: JournaledRecord[]): Promise<void> {
    const seq = records[records.length - 1].seq;
    try {
      await this.deps.messages.settled();
    } catch (err) {
      this.deps.log.error({ err }, 'a store commit failed; journaled messages are stored again');
      this.storeAgainLater(records);
      return;
    }
    const held = this.unstored.reduce((min, r) => Math.min(min, r.seq - 1), seq);
    // Sequence numbers start again with each thread: a confirmation only ever goes to the thread whose
    // records it names (a restarted thread's journal was rebuilt by replay).
    if (this.worker === worker) worker.postMessage({ kind: 'confirm', seq: held });
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
    // Whoever waits for ingested() is not left hanging: what the thread had not handed over is replayed
    // into the store before the next thread starts.
    for (const resolve of this.syncs.values()) resolve();
    this.syncs.clear();
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
