/**
 * What the four transaction machines of RFC 3261 section 17 share: the channel they send on, the
 * injected timers, named timer bookkeeping and termination.
 */
import type { SipMessage } from './message.ts';
import type { TimerHandle, Timers, TimerValues } from './timers.ts';

/** Sends the bytes of a message already sent once again, to the same place. */
export type Resend = () => void;

/**
 * Where a transaction sends. For a client transaction: the next hop chosen when it was created.
 * For a server transaction: back along the request's Via (the transport applies RFC 3261 18.2.2).
 */
export interface TransactionChannel {
  /** TCP/TLS/SCTP: no retransmissions (timers A, E, G are not armed; D, I, J, K are zero). */
  readonly reliable: boolean;
  /**
   * Sends `message` and returns what sends it again. A transaction waiting out Timer J, L or M keeps that,
   * not the message: a parsed message holds its header fields and body, and through the response's From
   * and To the request it answers, thousands of calls over at 1,000 calls/s that the collector walks.
   */
  send(message: SipMessage): Resend;
}

export interface TransactionTiming {
  timers: Timers;
  values: TimerValues;
  /**
   * Record every state change and timer in `history` (tests, debugging). Off in production: a transaction
   * outlives its call by 64*T1, and at thousands of calls a second its history was a large share of what
   * the collector had to walk. @defaultValue false
   */
  keepHistory?: boolean;
}

export type TransactionEvent = Readonly<{ state: string } | { timer: string }>;

/** Told of every state change of the transactions it tracks (the transaction layer): a method, not a closure each. */
export interface TransactionOwner {
  stateChanged(tx: { readonly key: string }, state: string): void;
}

const NO_HISTORY: readonly TransactionEvent[] = Object.freeze([]);

export abstract class Transaction<State extends string> {
  /** With `keepHistory`: every state change and every timer firing, in order; otherwise empty. */
  readonly history: readonly TransactionEvent[];
  owner: TransactionOwner | undefined;
  // The running timers, by name. A machine runs at most two at once (one that retransmits, one that ends
  // the state), so two slots in the object itself: a Map for it lived 64*T1 in every transaction.
  private firstTimer: string | undefined;
  private firstHandle: TimerHandle;
  private secondTimer: string | undefined;
  private secondHandle: TimerHandle;
  private listeners: ((state: State | 'terminated') => void)[] | undefined;
  #state: State;

  protected constructor(
    readonly key: string,
    protected readonly channel: TransactionChannel,
    protected readonly timing: TransactionTiming,
    initial: State,
  ) {
    this.#state = initial;
    this.history = timing.keepHistory ? [{ state: initial }] : NO_HISTORY;
  }

  get state(): State | 'terminated' {
    return this.#state;
  }

  get terminated(): boolean {
    return (this.#state as string) === 'terminated';
  }

  /** Terminated: let go of whatever the machine kept to answer retransmissions (its user included). */
  protected released(): void {}

  /** Called after every state change, 'terminated' included. */
  onStateChange(listener: (state: State | 'terminated') => void): void {
    if (this.listeners) this.listeners.push(listener);
    else this.listeners = [listener];
  }

  onTerminated(listener: () => void): void {
    this.onStateChange((state) => {
      if (state === 'terminated') listener();
    });
  }

  protected get t1(): number {
    return this.timing.values.t1;
  }

  protected enter(state: State | 'terminated'): void {
    if (this.terminated) return;
    this.#state = state as State;
    this.record({ state });
    const listeners = this.listeners;
    if (state === 'terminated') {
      if (this.firstTimer !== undefined) this.disarm(this.firstTimer);
      if (this.secondTimer !== undefined) this.disarm(this.secondTimer);
      this.released();
      // A terminated transaction is told nothing more: its listeners (and what they hold) can go.
      this.listeners = undefined;
    }
    this.owner?.stateChanged(this, state);
    if (listeners) for (const listener of listeners) listener(state);
  }

  /** (Re)arms a named timer; `expire(name)` runs when it fires. A zero delay still goes through the timer. */
  protected arm(name: string, ms: number): void {
    this.disarm(name);
    const handle = this.timing.timers.set(ms, () => this.fire(name));
    if (this.firstTimer === undefined) {
      this.firstTimer = name;
      this.firstHandle = handle;
    } else if (this.secondTimer === undefined) {
      this.secondTimer = name;
      this.secondHandle = handle;
    } else {
      this.timing.timers.clear(handle);
      throw new Error(`A third timer (${name}) while ${this.firstTimer} and ${this.secondTimer} run`);
    }
  }

  private fire(name: string): void {
    this.forget(name);
    if (this.terminated) return;
    this.record({ timer: name });
    this.expire(name);
  }

  /** A timer armed with `arm` fired (never after termination). */
  protected abstract expire(name: string): void;

  protected disarm(name: string): void {
    const handle = this.forget(name);
    if (handle !== undefined) this.timing.timers.clear(handle);
  }

  /** Frees the slot of timer `name`; returns its handle if it was running. */
  private forget(name: string): TimerHandle {
    let handle: TimerHandle;
    if (this.firstTimer === name) {
      handle = this.firstHandle;
      this.firstTimer = undefined;
      this.firstHandle = undefined;
    } else if (this.secondTimer === name) {
      handle = this.secondHandle;
      this.secondTimer = undefined;
      this.secondHandle = undefined;
    }
    return handle;
  }

  private record(event: TransactionEvent): void {
    if (this.history !== NO_HISTORY) (this.history as TransactionEvent[]).push(event);
  }

  /**
   * Sends, turning a synchronous transport failure into the machine's transport-error transition; returns
   * what sends it again, or undefined when it failed.
   */
  protected transmit(message: SipMessage): Resend | undefined {
    try {
      return this.channel.send(message);
    } catch (error) {
      this.transportError(error);
      return undefined;
    }
  }

  /** Sends again what `transmit` sent; false when the transport failed. */
  protected retransmit(resend: Resend): boolean {
    try {
      resend();
      return true;
    } catch (error) {
      this.transportError(error);
      return false;
    }
  }

  /** The transport reports a failure to send (RFC 3261 sections 17.1.4 and 17.2.4). */
  abstract transportError(error: unknown): void;
}
