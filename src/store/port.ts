/**
 * The store port: what the rest of Switchboard may ask of durable storage. Adapters (embedded SQLite, and
 * PostgreSQL for scale-out) implement it; callers never see SQL or a driver. Every method is async so a
 * networked adapter fits without changing callers.
 */

import type { AlertStore } from './alert-port.ts';
import type { CensusStore } from './census-port.ts';
import type { ConnectorStore } from './connector-port.ts';
import type { ConversationStore } from './conversation-port.ts';
import type { DirectoryOverlayStore } from './directory-port.ts';
import type { ExportStateStore } from './export-port.ts';
import type { KnownSenderStore } from './known-sender-port.ts';
import type { LeaseStore } from './lease-port.ts';
import type { OutboxStore, PickupStore } from './outbox-port.ts';
import type { RuleEditStore } from './rule-edit-port.ts';
import type { ScheduleStore } from './schedule-port.ts';
import type { ScheduleSourceStore } from './schedule-source-port.ts';
import type { DeviceLoginStore, SessionStore } from './session-port.ts';
import type { SignInFailureStore } from './sign-in-failure-port.ts';
import type { SipStore } from './sip-port.ts';

/** A message as a listener received it, before it is stored. The raw bytes are the record of truth. */
export interface InboundMessage {
  /** Which listener took it: 'mllp', 'wctp', 'sip', 'smtp'. */
  listener: string;
  /** Remote address:port of the sender. */
  peer: string;
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  /** e.g. 'ORU' */
  messageType: string;
  /** e.g. 'R01' */
  triggerEvent: string;
  /** The sender's control id (HL7 MSH-10, WCTP messageID). Unique per sender. */
  controlId: string;
  receivedAt: Date;
  raw: Buffer;
}

/** received: stored and acknowledged, not yet taken by the routing core. */
export type MessageStatus = 'received' | 'routed' | 'filtered' | 'unrouted' | 'failed';

export interface StoredMessage extends InboundMessage {
  id: number;
  status: MessageStatus;
  statusDetail: string | null;
  updatedAt: Date;
  /** Routing starts recorded after a restart that have not finished (see MessageStore.routingStarted). */
  routingAttempts: number;
}

export type MessageSummary = Omit<StoredMessage, 'raw'> & {
  size: number;
  /** The patient's MRN (PID-3) read at save time; absent for messages stored before it was kept. */
  patientMrn?: string | null;
};

export interface SaveResult {
  id: number;
  /** True when the same sender had already sent this control id; nothing new was stored. */
  duplicate: boolean;
}

export interface MessageQuery {
  controlId?: string;
  /** Matches the sending application or the sending facility. */
  sender?: string;
  /** 'ORU' or 'ORU^R01' */
  type?: string;
  status?: MessageStatus;
  since?: Date;
  until?: Date;
  /** The listener that took it ('mllp', 'wctp', …). */
  listener?: string;
  /** The patient's MRN (PID-3). */
  mrn?: string;
  /** Words that appear, in this order, in the raw message (indexed word search, not a substring scan). */
  text?: string;
  /**
   * Count the matches only up to this many (the total is then at most this, and `totalExact` false): a
   * count of every match of a broad filter costs as much as the page itself. @defaultValue every match
   */
  countUpTo?: number;
  limit?: number;
  offset?: number;
}

export interface MessageStore {
  /**
   * Stores a message durably; resolves only after the commit reached the disk. Concurrent calls are
   * committed together (group commit). A repeated (sender, controlId) resolves with duplicate: true.
   * `onCommitted`, when given, hears of the commit before it reaches the disk: a listener hands the
   * message to routing there, so routing overlaps the flush, and acknowledges only when this resolves.
   */
  saveInbound(message: InboundMessage, onCommitted?: (saved: SaveResult) => void): Promise<SaveResult>;
  /**
   * Stores a message whose durability another record already keeps (the inbound journal, which the
   * embedded inbox flushed before the listener acknowledged; see inbox-port.ts): applied at once,
   * visible to readers, and on the disk with the store's next flush, not a flush of its own. A repeated
   * (sender, controlId) resolves with duplicate: true.
   */
  saveJournaled(message: InboundMessage): Promise<SaveResult>;
  /** Resolves once every message saved so far is on the disk, by flushes the store makes anyway. */
  settled(): Promise<void>;
  get(id: number): Promise<StoredMessage | undefined>;
  /** Newest first. */
  list(query: MessageQuery): Promise<{ items: MessageSummary[]; total: number; totalExact: boolean }>;
  setStatus(id: number, status: MessageStatus, detail?: string): Promise<void>;
  /**
   * Messages still waiting for the routing core with an id above `afterId`, oldest first (handed over again
   * after a restart, a page at a time). On a shared store, those this instance stored or took over.
   */
  pending(limit: number, afterId?: number): Promise<StoredMessage[]>;
  /**
   * Messages still waiting for the routing core that an instance which is gone stored (or took over),
   * made this instance's: oldest first, at most `limit`. An instance counts as gone once the store has
   * seen it hold nothing for `goneForMs` (0: gone now). `unowned` adds the messages stored before the
   * store recorded instances (a start takes them; a running survivor leaves them to an instance of an
   * older version that may still be routing them). On the embedded store there is one instance, whose
   * unrouted messages after a restart are `pending`: nothing to adopt.
   */
  adoptUnrouted(limit: number, o: { goneForMs: number; unowned: boolean }): Promise<StoredMessage[]>;
  /**
   * True while a message about the same patient, from the same listener, stored before this one, waits
   * for another instance's routing core. Only on a shared store: on the embedded store one routing core
   * sees every message, and its queue keeps each patient's order by itself.
   */
  earlierElsewhere?(id: number): Promise<boolean>;
  /**
   * Writes the search words of the messages still due them (on PostgreSQL: stored before the words had a
   * table of their own, or by an instance of the previous version during a rolling upgrade; this version
   * writes them with the message), until none is left or `signal` aborts; resolves with how many. The
   * embedded store writes the words with every message: nothing is ever due there.
   */
  fillDueWords?(signal?: AbortSignal): Promise<number>;
  /**
   * Records, on the disk before it resolves, that routing of a message handed over again after a restart
   * starts now; resolves with the number of such starts. Concurrent calls share a flush.
   */
  routingStarted(id: number): Promise<number>;
}

export interface AuditEntry {
  at: Date;
  /** Who: a user name, an API token's name, or 'system'. */
  actor: string;
  /** e.g. 'message.view', 'alert.acknowledge' */
  action: string;
  /** e.g. 'message:42' */
  subject: string;
  detail?: string;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  list(query: { subject?: string; actor?: string; limit?: number }): Promise<AuditEntry[]>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly messages: MessageStore;
  readonly audit: AuditLog;
  readonly census: CensusStore;
  readonly schedules: ScheduleStore;
  readonly alerts: AlertStore;
  readonly sip: SipStore;
  /** Notices on their way out (pages, PCD-05, WCTP status, connector jobs): see outbox-port.ts. */
  readonly outbox: OutboxStore;
  /** Notices held until their receiver collects them (WCTP polls and ClientQuery). */
  readonly pickups: PickupStore;
  /** Connectors' feed cursors, state, delivery log and feed tokens (connector-port.ts). */
  readonly connectors: ConnectorStore;
  /** Each scheduling source's sync state, held syncs and unmapped rows (schedule-source-port.ts). */
  readonly scheduleSources: ScheduleSourceStore;
  /** Server-side sessions and keys used once (session-port.ts). */
  readonly sessions: SessionStore;
  /** Who holds each shared device now (badge tap, MDM check-in). */
  readonly devices: DeviceLoginStore;
  /** The directory overlay that provisioning and imports write (directory-port.ts). */
  readonly directory: DirectoryOverlayStore;
  /** What the file exports' receivers hold after the last delivered file (export-port.ts). */
  readonly exportState: ExportStateStore;
  /** Clinicians' conversations, messages and receipts (conversation-port.ts). */
  readonly conversations: ConversationStore;
  /** Leases for the jobs a cluster runs once, not once per instance (lease-port.ts). */
  readonly leases: LeaseStore;
  /** Rule files saved from the console, shared by the instances (rule-edit-port.ts). */
  readonly ruleEdits: RuleEditStore;
  /** Failed sign-ins and their locks, shared by the instances (sign-in-failure-port.ts). */
  readonly signInFailures: SignInFailureStore;
  /** Addresses each listener has stored a message from (known-sender-port.ts). */
  readonly knownSenders: KnownSenderStore;
  /**
   * Resolves when every write that has resolved so far is on the disk. Writes of derived state (census,
   * alerts, statuses: what routing rebuilds from stored messages after a crash) resolve once committed
   * and reach the disk shortly after; whoever acknowledges something to the outside world (an HTTP
   * answer to a change, say) waits for this first. saveInbound and audit entries wait by themselves.
   */
  durable(): Promise<void>;
  close(): Promise<void>;
}
