/**
 * What one listener saw since it was last asked, per sender: messages, NAKs and how long each ACK took to
 * decide. Kept on the listener's own thread and handed over in batches (with its health), so the ACK path
 * pays a counter increment and an array push, never a message to another thread.
 */
export interface SenderTraffic {
  messages: number;
  /** AE/AR/CE/CR answers. */
  naks: number;
  /** Milliseconds from the frame read to the ACK decided, at most `maxSamples` of them per batch. */
  ackMs: number[];
  /** Epoch ms of the last message. */
  lastAt: number;
}

export type TrafficBatch = Record<string, SenderTraffic>;

/** A sender whose header could not be read. */
export const UNKNOWN_SENDER = '(unreadable)';
/** Where senders past the cap are counted, so a sender that invents names cannot grow memory. */
export const OTHER_SENDERS = '(other)';

export class TrafficTally {
  private batch = new Map<string, SenderTraffic>();
  private readonly known = new Set<string>();

  constructor(
    private readonly maxSenders = 200,
    private readonly maxSamples = 5000,
  ) {}

  record(sender: string, code: string, ackMs: number, at: number): void {
    const key = this.known.has(sender) || this.known.size < this.maxSenders ? sender : OTHER_SENDERS;
    this.known.add(key);
    let t = this.batch.get(key);
    if (!t) {
      t = { messages: 0, naks: 0, ackMs: [], lastAt: at };
      this.batch.set(key, t);
    }
    t.messages += 1;
    if (code !== 'AA' && code !== 'CA') t.naks += 1;
    if (t.ackMs.length < this.maxSamples) t.ackMs.push(ackMs);
    t.lastAt = at;
  }

  /** What was recorded since the last call, or undefined when nothing was. */
  take(): TrafficBatch | undefined {
    if (this.batch.size === 0) return undefined;
    const out = Object.fromEntries(this.batch);
    this.batch = new Map();
    return out;
  }
}

/** How a listener names a sender: MSH-3, and MSH-4 after a caret when there is one. */
export function senderName(application: string | undefined, facility: string | undefined): string {
  if (!application && !facility) return UNKNOWN_SENDER;
  return facility ? `${application ?? ''}^${facility}` : (application ?? '');
}
