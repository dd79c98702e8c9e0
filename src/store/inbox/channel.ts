/**
 * What the two halves of the embedded inbox say to each other over the MessageChannel between the
 * listener's thread (JournalInbox) and the main thread (EmbeddedInbox). One channel per thread, so a
 * confirmation can only ever reach the journal whose records it names, and messages on it keep their
 * order: records always arrive before the `synced` or `closed` that follows them.
 */

/** A record made durable in the journal, on its way to the store. */
export interface JournaledRecord {
  seq: number;
  payload: Buffer;
}

export type FromJournal =
  /** Records on the disk in the journal, already acknowledged, in journal order. */
  | { kind: 'accepted'; records: Array<{ seq: number; payload: Uint8Array }> }
  /** Every record accepted before the `sync` with this id was sent above. */
  | { kind: 'synced'; id: number }
  /** The journal is closed and every record it took was sent above. */
  | { kind: 'closed' };

/** `confirm`: the store holds every record up to `seq` on the disk. `sync`: asks for a `synced`. */
export type ToJournal = { kind: 'confirm'; seq: number } | { kind: 'sync'; id: number };
