/**
 * The MLLP ingest thread. It owns the MLLP sockets and the inbound journal and nothing else: frame, read
 * the header, append to the journal (one write and fdatasync per turn, on this thread), acknowledge, and
 * hand each durable record to the main thread, which stores the row and routes it. A sender's round trip
 * therefore never waits for routing, the database or the HTTP API, which share the main thread.
 *
 * Messages with the parent (see ingest.ts for the other side):
 *   to parent:   ready {host, port} | failed {error} | stored {records} | health {health} | log {line}
 *                | synced {id} | known {address} | stopped
 *   from parent: confirm {seq} | sync {id} | stop
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { holdInStore } from '../../routing/inbound-port.ts';
import { JournalWriter } from '../../store/journal/writer.ts';
import { type JournaledRecord, JournalInbox } from './journal-inbox.ts';
import { MllpListener, type MllpListenerOptions } from './server.ts';

export interface IngestWorkerData {
  entry: string;
  listener: MllpListenerOptions;
  application: string;
  facility: string;
  journalDir: string;
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
}

const port = parentPort;
if (!port) throw new Error('ingest-worker.ts runs as a worker thread');
const data = workerData as IngestWorkerData;

// Log lines travel to the main thread, whose logger (with its PHI redaction) writes them.
const log = pino(
  { level: data.logLevel, base: undefined, timestamp: false },
  { write: (line: string) => port.postMessage({ kind: 'log', line }) },
);

const journal = new JournalWriter(data.journalDir);
// After a failed write or fdatasync nothing says what reached the disk, so this thread does not go on
// with the file: once the senders have their AR/CR it ends, and the main thread replays the journal's
// valid records and starts a fresh thread on a new segment.
journal.onFailure = (err) => {
  log.error({ err }, 'inbound journal write failed; the MLLP thread restarts');
  setTimeout(() => process.exit(1), 100);
};
let confirmed = 0;
let paused = false;
const inbox = new JournalInbox(journal, (records: JournaledRecord[]) => {
  port.postMessage(
    { kind: 'stored', records },
    records.map((r) => r.payload.buffer as ArrayBuffer),
  );
  if (!paused && journal.lastSeq - confirmed >= data.pauseAt) {
    paused = true;
    listener.setPaused(true);
    log.warn({ behind: journal.lastSeq - confirmed }, 'MLLP paused reading: the store is behind');
  }
});
const listener = new MllpListener(data.listener, {
  store: inbox,
  inbound: holdInStore,
  log,
  application: data.application,
  facility: data.facility,
  knownSenders: data.knownSenders,
  onKnownSender: (address) => port.postMessage({ kind: 'known', address }),
});

const reportHealth = () => port.postMessage({ kind: 'health', health: listener.health() });
const healthTimer = setInterval(reportHealth, data.healthEveryMs);

port.on('message', (message: { kind: string; seq?: number; id?: number }) => {
  switch (message.kind) {
    case 'confirm':
      confirmed = Math.max(confirmed, message.seq ?? 0);
      try {
        journal.confirm(confirmed);
      } catch (err) {
        log.error({ err }, 'could not remove a confirmed journal segment');
      }
      if (paused && journal.lastSeq - confirmed <= data.resumeAt) {
        paused = false;
        listener.setPaused(false);
        log.info({ behind: journal.lastSeq - confirmed }, 'MLLP reading again: the store caught up');
      }
      break;
    case 'sync':
      inbox.send();
      port.postMessage({ kind: 'synced', id: message.id });
      break;
    case 'stop':
      void stop();
      break;
  }
});

async function stop(): Promise<void> {
  await listener.stop();
  journal.close();
  inbox.send();
  clearInterval(healthTimer);
  reportHealth();
  port?.postMessage({ kind: 'stopped' });
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
  journal.close();
  port?.close();
}
