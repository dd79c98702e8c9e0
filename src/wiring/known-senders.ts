/**
 * A listener's known senders from the store (store/known-sender-port.ts): those it had at its last stop,
 * or that another instance of the cluster learned, seed its reserve at start; each address it learns is
 * written back. A write that fails costs only that address's place in the next start's reserve.
 */
import type { Logger } from 'pino';
import type { KnownSenderStore } from '../store/known-sender-port.ts';

/** The most known senders a listener starts with: far more than a hospital's interfaces. */
const REMEMBERED = 10_000;

export interface KnownSenders {
  /** Known at start, newest first. */
  readonly recent: readonly string[];
  /** An address the listener has just learned. */
  remember(address: string): void;
}

export async function knownSendersOf(
  store: KnownSenderStore,
  listener: string,
  log: Logger,
  now: () => Date,
): Promise<KnownSenders> {
  const recent = await store.recent(listener, REMEMBERED);
  return {
    recent,
    remember: (address) => {
      store
        .remember(listener, address, now())
        .catch((err) => log.warn({ err, address }, 'known sender not recorded'));
    },
  };
}
