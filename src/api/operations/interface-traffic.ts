import type { Counter, Histogram } from 'prom-client';
import type { SenderTraffic, TrafficBatch } from '../../listeners/mllp/traffic-tally.ts';

/** One sender on one listener, as the dashboard shows it. */
export interface InterfaceFigures {
  listener: string;
  sender: string;
  messages: number;
  naks: number;
  /** Messages per minute over the last hour, oldest first (60 values; the last is the current minute). */
  perMinute: number[];
  /** Of the ACKs decided in the last hour (up to the last 2,048 of them), in milliseconds. */
  ackP50Ms: number | null;
  ackP99Ms: number | null;
  lastMessageAt: string | null;
  /** Minutes since the last message, when that is past the sender's quietMinutes. */
  quietForMinutes: number | null;
}

const MINUTES = 60;
const SAMPLES = 2048;

interface Interface {
  listener: string;
  sender: string;
  messages: number;
  naks: number;
  /** Counts per minute in a ring indexed by epoch minute modulo 60; `minuteOf` says which minute a slot holds. */
  counts: number[];
  minuteOf: number[];
  /** The last SAMPLES ACK times, a ring, each with its epoch ms. */
  ackMs: Float64Array;
  ackAt: Float64Array;
  next: number;
  filled: number;
  lastAt: number;
  /** The Prometheus series of this interface, bound once (an observe with labels hashes them each time). */
  series: {
    messages: { inc(n: number): void };
    naks: { inc(n: number): void };
    ack: { observe(v: number): void };
  };
}

/**
 * Traffic per listener and sender, kept in memory for the dashboard (a ring of 60 one-minute counts and
 * the last 2,048 ACK times each) and fed into the Prometheus counters. One node's view: a second
 * instance keeps its own, and a restart starts the rings empty (the counters in Prometheus carry on).
 */
export class InterfaceTraffic {
  private readonly interfaces = new Map<string, Interface>();

  constructor(
    private readonly metrics: {
      messages: Counter<'listener' | 'sender'>;
      naks: Counter<'listener' | 'sender'>;
      ackSeconds: Histogram<'listener' | 'sender'>;
    },
    private readonly quietMinutes: (sender: string) => number,
    private readonly now: () => number = Date.now,
    /** Senders named in operations.quietMinutes: one that sends nothing at all is quiet too. */
    private readonly expected: readonly string[] = [],
  ) {
    this.startedAt = now();
  }

  private readonly startedAt: number;

  /** A listener's batch (see traffic-tally.ts). */
  add(listener: string, batch: TrafficBatch): void {
    for (const [sender, t] of Object.entries(batch)) this.addOne(listener, sender, t);
  }

  private addOne(listener: string, sender: string, t: SenderTraffic): void {
    const key = `${listener}\u0000${sender}`;
    let i = this.interfaces.get(key);
    if (!i) {
      i = {
        listener,
        sender,
        messages: 0,
        naks: 0,
        counts: new Array(MINUTES).fill(0),
        minuteOf: new Array(MINUTES).fill(-1),
        ackMs: new Float64Array(SAMPLES),
        ackAt: new Float64Array(SAMPLES),
        next: 0,
        filled: 0,
        lastAt: 0,
        series: {
          messages: this.metrics.messages.labels({ listener, sender }),
          naks: this.metrics.naks.labels({ listener, sender }),
          ack: this.metrics.ackSeconds.labels({ listener, sender }),
        },
      };
      this.interfaces.set(key, i);
    }
    i.messages += t.messages;
    i.naks += t.naks;
    i.lastAt = Math.max(i.lastAt, t.lastAt);
    // The batch is at most half a second old: its messages count in the minute of its last one.
    const minute = Math.floor(t.lastAt / 60_000);
    const slot = minute % MINUTES;
    if (i.minuteOf[slot] !== minute) {
      i.minuteOf[slot] = minute;
      i.counts[slot] = 0;
    }
    i.counts[slot] += t.messages;
    i.series.messages.inc(t.messages);
    if (t.naks) i.series.naks.inc(t.naks);
    for (const ms of t.ackMs) {
      i.series.ack.observe(ms / 1000);
      i.ackMs[i.next] = ms;
      i.ackAt[i.next] = t.lastAt;
      i.next = (i.next + 1) % SAMPLES;
      i.filled = Math.min(i.filled + 1, SAMPLES);
    }
  }

  figures(): InterfaceFigures[] {
    const now = this.now();
    const thisMinute = Math.floor(now / 60_000);
    const seen = [...this.interfaces.values()].map((i) => {
      const perMinute: number[] = [];
      for (let m = thisMinute - MINUTES + 1; m <= thisMinute; m++) {
        const slot = m % MINUTES;
        perMinute.push(i.minuteOf[slot] === m ? i.counts[slot] : 0);
      }
      const recent: number[] = [];
      for (let k = 0; k < i.filled; k++) if (now - i.ackAt[k] <= 3600_000) recent.push(i.ackMs[k]);
      recent.sort((a, b) => a - b);
      const quiet = this.quietMinutes(i.sender);
      const silentFor = Math.floor((now - i.lastAt) / 60_000);
      return {
        listener: i.listener,
        sender: i.sender,
        messages: i.messages,
        naks: i.naks,
        perMinute,
        ackP50Ms: percentile(recent, 0.5),
        ackP99Ms: percentile(recent, 0.99),
        lastMessageAt: i.lastAt ? new Date(i.lastAt).toISOString() : null,
        quietForMinutes: quiet > 0 && silentFor >= quiet ? silentFor : null,
      };
    });
    return [...seen, ...this.neverHeard(now, seen)];
  }

  /** Expected senders with no message since start, once their quiet time has passed since the start. */
  private neverHeard(now: number, seen: readonly InterfaceFigures[]): InterfaceFigures[] {
    const heard = new Set(seen.map((f) => f.sender));
    const silentFor = Math.floor((now - this.startedAt) / 60_000);
    return this.expected
      .filter((sender) => !heard.has(sender))
      .map((sender) => {
        const quiet = this.quietMinutes(sender);
        return {
          listener: '',
          sender,
          messages: 0,
          naks: 0,
          perMinute: new Array(MINUTES).fill(0),
          ackP50Ms: null,
          ackP99Ms: null,
          lastMessageAt: null,
          quietForMinutes: quiet > 0 && silentFor >= quiet ? silentFor : null,
        };
      });
  }
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round(sorted[rank] * 100) / 100;
}
