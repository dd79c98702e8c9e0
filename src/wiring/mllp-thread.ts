/**
 * The MLLP ingest thread: the MLLP listener and the embedded store's journal inbox, together on a thread
 * of their own, and nothing else. The listener frames and acknowledges; the inbox makes each message
 * durable (one write and fdatasync per turn, on this thread) and sends the records to the main thread,
 * which stores the rows and routes them. A sender's round trip therefore never waits for routing, the
 * database or the HTTP API, which share the main thread.
 *
 * Messages with the parent (mllp-ingest.ts; the inbox has a channel of its own, store/inbox/channel.ts):
 *   to parent:   ready {host, port} | failed {error} | health {health} | log {line} | known {address}
 *                | traffic {batch}  (messages, NAKs and ACK times per sender since the last report)
 *   from parent: stop | routing {behind}  (routing's backlog is at its bound: read nothing until it caught up)
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { MllpListener, type MllpListenerOptions } from '../listeners/mllp/server.ts';
import { JournalInbox } from '../store/inbox/journal-inbox.ts';

export interface MllpThreadData {
  entry: string;
  listener: MllpListenerOptions;
  application: string;
  facility: string;
  journalDir: string;
  /** The channel to the main thread's EmbeddedInbox (transferred). */
  inbox: MessagePort;
  logLevel: string;
  /** Addresses that sent stored messages to an earlier thread of this process. */
  knownSenders: string[];
  /** How often the thread reports its listener's health. */
  healthEveryMs: number;
  /**
   * Journaled records the main thread has not yet confirmed (stored, on its disk) at which this thread
   * stops reading from senders, and at or below which it reads again.
   */
  pauseAt: number;
  resumeAt: number;
  /** Routing's backlog was at its bound when this thread started (a restart while behind). */
  routingBehind: boolean;
}

const port = parentPort;
if (!port) throw new Error('mllp-thread.ts runs as a worker thread');
const data = workerData as MllpThreadData;

// Log lines travel to the main thread, whose logger (with its PHI redaction) writes them.
const log = pino(
  { level: data.logLevel, base: undefined, timestamp: false },
  { write: (line: string) => port.postMessage({ kind: 'log', line }) },
);

// Reading stops while either the store or routing is behind, and starts when neither is.
const behind = { store: false, routing: data.routingBehind };
const updateReading = () => listener.setPaused(behind.store || behind.routing);

const inbox = new JournalInbox({
  dir: data.journalDir,
  channel: data.inbox,
  log,
  pauseAt: data.pauseAt,
  resumeAt: data.resumeAt,
  onBehind: (storeBehind, unconfirmed) => {
    behind.store = storeBehind;
    updateReading();
    if (storeBehind) log.warn({ behind: unconfirmed }, 'MLLP paused reading: the store is behind');
    else log.info({ behind: unconfirmed }, 'MLLP reading again: the store caught up');
  },
  // Once the senders have their AR/CR this thread ends; the main thread replays the journal's valid
  // records and starts a fresh thread on a new segment.
  onFailure: (err) => {
    log.error({ err }, 'inbound journal write failed; the MLLP thread restarts');
    setTimeout(() => process.exit(1), 100);
  },
});
const listener = new MllpListener(data.listener, {
  inbox,
  log,
  application: data.application,
  facility: data.facility,
  knownSenders: data.knownSenders,
  onKnownSender: (address) => port.postMessage({ kind: 'known', address }),
});
if (behind.routing) updateReading();

const reportHealth = () => {
  port.postMessage({ kind: 'health', health: listener.health() });
  const batch = listener.takeTraffic();
  if (batch) port.postMessage({ kind: 'traffic', batch });
};
const healthTimer = setInterval(reportHealth, data.healthEveryMs);

port.on('message', (message: { kind: 'stop' } | { kind: 'routing'; behind: boolean }) => {
  if (message.kind === 'stop') void stop();
  else if (message.kind === 'routing') {
    behind.routing = message.behind;
    updateReading();
  }
});

async function stop(): Promise<void> {
  await listener.stop();
  await inbox.close();
  clearInterval(healthTimer);
  reportHealth();
  port?.close();
}

try {
  const address = await listener.start();
  reportHealth();
  port.postMessage({ kind: 'ready', ...address, port: listener.health().port ?? address.port });
} catch (err) {
  reportHealth();
  port.postMessage({ kind: 'failed', error: (err as Error).message });
  clearInterval(healthTimer);
  await inbox.close();
  port?.close();
}
