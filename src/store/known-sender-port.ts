/**
 * Addresses that have sent a message a listener stored: "known senders", for whom the listener keeps its
 * last connections while unknown ones fill the rest (listeners/mllp/sender-gate.ts). Kept in the store so
 * a restart, or another instance of a cluster at its start, keeps the reserve for the hospital's interfaces
 * instead of learning them again during the very flood the reserve is for.
 */
export interface KnownSenderStore {
  /** Records that `address` sent a message `listener` stored (first time, or again). */
  remember(listener: string, address: string, at: Date): Promise<void>;
  /** The `limit` addresses of `listener` heard from most recently. */
  recent(listener: string, limit: number): Promise<string[]>;
}
