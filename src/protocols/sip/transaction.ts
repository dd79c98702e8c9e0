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
}

export type TransactionEvent = { state: string } | { timer: string };

export abstract class Transaction<State extends string> {
  /** Seen by tests and logs: every state change and every timer firing, in order. */
  readonly history: TransactionEvent[] = [];
  private armed = new Map<string, TimerHandle>();
  private listeners: ((state: State | 'terminated') => void)[] = [];
  #state: State;

  protected constructor(
    readonly key: string,
    protected readonly channel: TransactionChannel,
    protected readonly timing: TransactionTiming,
    initial: State,
  ) {
    this.#state = initial;
    this.history.push({ state: initial });
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
    this.listeners.push(listener);
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
    this.history.push({ state });
    if (state === 'terminated') {
      for (const handle of this.armed.values()) this.timing.timers.clear(handle);
      this.armed.clear();
      this.released();
    }
    const listeners = this.listeners;
    // A terminated transaction is told nothing more: its listeners (and what they hold) can go.
    if (state === 'terminated') this.listeners = [];
    for (const listener of listeners) listener(state);
  }

  /** (Re)arms a named timer; a zero delay on a reliable transport still goes through the timer, asynchronously. */
  protected arm(name: string, ms: number, fire: () => void): void {
    this.disarm(name);
    const handle = this.timing.timers.set(ms, () => {
      this.armed.delete(name);
      if (this.terminated) return;
      this.history.push({ timer: name });
      fire();
    });
    this.armed.set(name, handle);
  }

  protected disarm(name: string): void {
    const handle = this.armed.get(name);
    if (handle !== undefined) {
      this.timing.timers.clear(handle);
      this.armed.delete(name);
    }
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
