/**
 * The routing core's inbound port: how a listener hands over a message it has durably stored and
 * acknowledged. Listeners know only this interface; the routing core implements it.
 */
export interface InboundEvent {
  /** Id of the stored message (store.messages). */
  messageId: number;
  listener: string;
  /** The raw bytes, exactly as stored. */
  raw: Buffer;
  /**
   * What the listener already read from `raw`, as the listener's interpreter would read it (the WCTP
   * gateway's parsed request), so routing need not parse the message twice. Absent when the message comes
   * back from the store (a restart, a backlog long enough to drop the bytes): the interpreter reads `raw`.
   */
  read?: unknown;
}

export interface InboundPort {
  /**
   * Takes a stored message. Must not throw and must not block the listener: the message is already
   * safe in the store, so a failure here leaves it `received` and it is handed over again at the next start.
   */
  accept(event: InboundEvent): void;
}

/** Until a routing core is wired in, messages stay `received` in the store. */
export const holdInStore: InboundPort = { accept() {} };
