/**
 * The MLLP load generator. Each connection is stop-and-wait by default (send one message, wait for its
 * ACK, send the next), which is how most HL7 senders behave; concurrency comes from connections. With
 * `pipeline` > 1 a connection keeps that many messages in flight (Switchboard ACKs in arrival order).
 *
 * Connections take the next message number from one shared counter, so they finish together however
 * fast each one is served. Every ACK is checked: MSA-1 must be AA and MSA-2 must be the control id of
 * the oldest message in flight on that connection. Latency is per message, from the write of its frame
 * to the arrival of its ACK.
 *
 * Kept cheap because it shares the machine's cores with the server: frames are written into a reused
 * buffer per in-flight slot (a slot is reused only after its ACK arrived, so the socket has sent it),
 * and an ACK is read only as far as MSA-2, compared in place against the bytes that were sent.
 */
import { connect, type Socket } from 'node:net';
import { MllpDecoder } from '../../src/protocols/hl7/mllp.ts';
import { LatencySamples } from '../lib/latency.ts';
import type { FramedTemplate } from './messages.ts';

export interface LoadOptions {
  host: string;
  port: number;
  /** Messages to send in all, numbered 0..messages-1 (the number goes into MSH-10). */
  messages: number;
  connections: number;
  /** Messages in flight per connection. @defaultValue 1 (stop-and-wait) */
  pipeline?: number;
  /** Message n uses templates[n % templates.length]. */
  templates: FramedTemplate[];
  /** Give up when no ACK has arrived for this long. @defaultValue 30000 */
  stallTimeoutMs?: number;
}

export interface LoadResult {
  /** Frames written. */
  sent: number;
  /** ACKs with AA and the right MSA-2: messages the server took responsibility for. */
  accepted: number;
  /** Anything else: AE/AR, wrong or missing MSA-2, ACKs out of order, messages left without an ACK. */
  errors: number;
  /** The first few errors, in words. */
  errorSamples: string[];
  /** From the first write to the last ACK. */
  elapsedMs: number;
  /** One sample per accepted message, in milliseconds. */
  latencies: LatencySamples;
}

const MSA = Buffer.from('\rMSA');
const CR = 0x0d;
const A = 0x41;

interface Shared {
  next: number;
  readonly total: number;
  readonly templates: FramedTemplate[];
  readonly latencies: LatencySamples;
  sent: number;
  accepted: number;
  errors: number;
  readonly errorSamples: string[];
  lastProgressAt: number;
  lastAckAt: number;
}

function recordError(shared: Shared, text: string, count = 1): void {
  shared.errors += count;
  if (shared.errorSamples.length < 10) shared.errorSamples.push(text);
}

/** One sender connection with `pipeline` reusable frame buffers. */
class SenderConnection {
  private readonly decoder = new MllpDecoder();
  private readonly buffers: Buffer[];
  private readonly slotSeq: Float64Array;
  private readonly slotSentAt: Float64Array;
  private readonly free: number[] = [];
  /** Slots in flight, oldest first. */
  private inFlight: number[] = [];
  private finished = false;
  readonly done: Promise<void>;
  private finish!: () => void;

  constructor(
    private readonly socket: Socket,
    private readonly shared: Shared,
    pipeline: number,
  ) {
    const longest = Math.max(...shared.templates.map((t) => t.length));
    this.buffers = Array.from({ length: pipeline }, () => Buffer.alloc(longest));
    this.slotSeq = new Float64Array(pipeline);
    this.slotSentAt = new Float64Array(pipeline);
    for (let i = pipeline - 1; i >= 0; i--) this.free.push(i);
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => recordError(shared, `connection error: ${err.message}`, 0));
    socket.on('close', () => {
      if (this.inFlight.length > 0)
        recordError(
          shared,
          `connection closed with ${this.inFlight.length} messages unacknowledged`,
          this.inFlight.length,
        );
      this.inFlight = [];
      this.end();
    });
  }

  /** Sends until the window is full or every message has been taken. */
  fill(): void {
    const shared = this.shared;
    while (this.free.length > 0 && shared.next < shared.total) {
      const seq = shared.next++;
      const slot = this.free.pop()!;
      const template = shared.templates[seq % shared.templates.length];
      const length = template.writeInto(this.buffers[slot], seq);
      this.slotSeq[slot] = seq;
      this.inFlight.push(slot);
      this.slotSentAt[slot] = performance.now();
      this.socket.write(this.buffers[slot].subarray(0, length));
      shared.sent += 1;
    }
    if (this.inFlight.length === 0 && shared.next >= shared.total) this.end();
  }

  /** Stops: after the last ACK, or when the run is abandoned. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.socket.end();
    this.finish();
  }

  private onData(chunk: Buffer): void {
    for (const event of this.decoder.push(chunk)) {
      if (event.kind === 'frame') this.onAck(event.body);
      else recordError(this.shared, `ACK frame over the size limit (${event.size} bytes)`);
    }
    if (!this.finished) this.fill();
  }

  private onAck(ack: Buffer): void {
    const shared = this.shared;
    const now = performance.now();
    shared.lastProgressAt = now;
    // MSA|<code>|<control id>…: find the segment, then its first two fields, in the ACK's own separator.
    const msa = ack.indexOf(MSA);
    const separator = ack[3];
    if (msa < 0 || ack[msa + 4] !== separator) {
      recordError(shared, `ACK without MSA: ${ack.toString('latin1').slice(0, 120)}`);
      return;
    }
    const codeStart = msa + 5;
    const codeEnd = ack.indexOf(separator, codeStart);
    if (codeEnd < 0) {
      recordError(shared, `ACK without MSA-2: ${ack.toString('latin1').slice(0, 120)}`);
      return;
    }
    let idEnd = codeEnd + 1;
    while (idEnd < ack.length && ack[idEnd] !== separator && ack[idEnd] !== CR) idEnd++;

    const position = this.findInFlight(ack, codeEnd + 1, idEnd);
    if (position < 0) {
      recordError(
        shared,
        `ACK for a message not in flight: MSA-2 ${ack.toString('latin1', codeEnd + 1, idEnd)}`,
      );
      return;
    }
    if (position > 0) recordError(shared, 'ACK out of order');
    const slot = this.inFlight[position];
    if (position === 0) this.inFlight.shift();
    else this.inFlight.splice(position, 1);
    this.free.push(slot);
    if (codeEnd - codeStart === 2 && ack[codeStart] === A && ack[codeStart + 1] === A) {
      shared.accepted += 1;
      shared.latencies.add(now - this.slotSentAt[slot]);
      shared.lastAckAt = now;
    } else {
      recordError(
        shared,
        `MSA-1 ${ack.toString('latin1', codeStart, codeEnd)} for message ${this.slotSeq[slot]}: ` +
          ack.toString('latin1').replaceAll('\r', ' | ').slice(0, 200),
      );
    }
  }

  /** Index in the in-flight list of the message whose MSH-10 equals ack[start..end), or -1. */
  private findInFlight(ack: Buffer, start: number, end: number): number {
    const templates = this.shared.templates;
    for (let i = 0; i < this.inFlight.length; i++) {
      const slot = this.inFlight[i];
      const template = templates[this.slotSeq[slot] % templates.length];
      const idStart = template.controlIdOffset;
      if (ack.compare(this.buffers[slot], idStart, idStart + template.controlIdLength, start, end) === 0)
        return i;
    }
    return -1;
  }
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Opens every connection, then sends `messages` messages across them and waits for every ACK. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.templates.length === 0) throw new Error('runLoad needs at least one message template');
  const pipeline = options.pipeline ?? 1;
  const shared: Shared = {
    next: 0,
    total: options.messages,
    templates: options.templates,
    latencies: new LatencySamples(options.messages),
    sent: 0,
    accepted: 0,
    errors: 0,
    errorSamples: [],
    lastProgressAt: 0,
    lastAckAt: 0,
  };
  const sockets = await Promise.all(
    Array.from({ length: options.connections }, () => open(options.host, options.port)),
  );
  const senders = sockets.map((socket) => new SenderConnection(socket, shared, pipeline));

  const startedAt = performance.now();
  shared.lastProgressAt = startedAt;
  shared.lastAckAt = startedAt;
  const stallTimeoutMs = options.stallTimeoutMs ?? 30000;
  const watchdog = setInterval(() => {
    if (performance.now() - shared.lastProgressAt < stallTimeoutMs) return;
    recordError(shared, `no ACK for ${stallTimeoutMs} ms; run abandoned`, 0);
    for (const socket of sockets) socket.destroy();
  }, 1000);
  for (const sender of senders) sender.fill();
  await Promise.all(senders.map((s) => s.done));
  clearInterval(watchdog);
  // Messages never taken (a run abandoned early) were never sent: errors too.
  if (shared.next < shared.total)
    recordError(shared, `${shared.total - shared.next} messages never sent`, shared.total - shared.next);

  return {
    sent: shared.sent,
    accepted: shared.accepted,
    errors: shared.errors,
    errorSamples: shared.errorSamples,
    elapsedMs: shared.lastAckAt - startedAt,
    latencies: shared.latencies,
  };
}
