import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { buildRejectAck } from '../../protocols/hl7/index.ts';
import { frameMllp, MllpDecoder } from '../../protocols/hl7/mllp.ts';
import { type ReceiveContext, receiveFrame } from './receive.ts';
import { type TrafficTally, UNKNOWN_SENDER } from './traffic-tally.ts';

export interface ConnectionOptions {
  maxFrameBytes: number;
  idleTimeoutMs: number;
  /**
   * Messages read but not yet answered at which reading stops until half of them are (so a sender that
   * pipelines faster than the inbox takes them holds a bounded amount of this thread's memory).
   * @defaultValue 1000
   */
  maxUnanswered?: number;
  /** Hears of each message stored from this connection (its sender is then a known sender). */
  onStored?: () => void;
  /** Counts each answer per sender, with the time it took to decide (the operations dashboard, /metrics). */
  traffic?: TrafficTally;
}

/**
 * One sender's connection. Frames are handled as they arrive (so pipelined messages share a group commit)
 * but their ACKs leave strictly in arrival order. A frame past the size limit gets an AR and the
 * connection is closed, since what follows it on the stream cannot be trusted.
 *
 * Reading stops while any of these holds, and starts again when none does:
 *   - the listener asked (the store is behind: setPaused);
 *   - ACKs are not being read: the socket holds more unsent output than its high-water mark (write()
 *     said false) until it drains, so a sender that pipelines without reading its ACKs stops being read
 *     instead of growing this thread's memory by its ACKs;
 *   - too many messages wait for their ACK (maxUnanswered; reading again at half);
 *   - the connection is closing.
 */
export class MllpConnection {
  private readonly decoder: MllpDecoder;
  private readonly onStored?: () => void;
  private readonly traffic?: TrafficTally;
  private tail: Promise<void> = Promise.resolve();
  private closing = false;
  private listenerPaused = false;
  private acksUnread = false;
  private unanswered = 0;
  private tooManyUnanswered = false;
  private readonly maxUnanswered: number;
  readonly peer: string;
  received = 0;
  /** The most ACK bytes this connection held unsent at once. */
  largestAckBacklog = 0;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ReceiveContext,
    private readonly log: Logger,
    options: ConnectionOptions,
  ) {
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.decoder = new MllpDecoder({ maxFrameBytes: options.maxFrameBytes });
    this.maxUnanswered = options.maxUnanswered ?? 1000;
    this.onStored = options.onStored;
    this.traffic = options.traffic;
    socket.setNoDelay(true);
    if (options.idleTimeoutMs > 0) {
      socket.setTimeout(options.idleTimeoutMs, () => {
        this.log.info({ peer: this.peer }, 'closing idle MLLP connection');
        void this.drainAndClose();
      });
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.acksUnread = false;
      this.updateReading();
    });
    socket.on('error', (err) =>
      this.log.warn({ peer: this.peer, err: err.message }, 'MLLP connection error'),
    );
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    let events: ReturnType<MllpDecoder['push']>;
    try {
      events = this.decoder.push(chunk);
    } catch (err) {
      this.log.error({ peer: this.peer, err }, 'MLLP framing failed');
      this.socket.destroy();
      return;
    }
    for (const event of events) {
      if (event.kind === 'frame') {
        this.received += 1;
        this.unanswered += 1;
        const readAt = performance.now();
        this.enqueue(
          receiveFrame(this.ctx, event.body, this.peer).then((o) => {
            if (o.code === 'AA' || o.code === 'CA') this.onStored?.();
            this.traffic?.record(o.sender ?? UNKNOWN_SENDER, o.code, performance.now() - readAt, Date.now());
            return o.ack;
          }),
        );
      } else {
        this.log.warn(
          { peer: this.peer, size: event.size },
          'MLLP frame over the size limit; rejecting and closing',
        );
        this.unanswered += 1;
        this.enqueue(Promise.resolve(this.oversizeAck(event.head)));
        void this.drainAndClose();
        return;
      }
    }
    if (this.unanswered >= this.maxUnanswered && !this.tooManyUnanswered) {
      this.tooManyUnanswered = true;
      this.updateReading();
    }
  }

  /** An AR for an oversize frame, naming the message's control id when its header could be read. */
  private oversizeAck(head: Buffer): string {
    return buildRejectAck(
      head,
      { code: '207', severity: 'E', text: 'message larger than this listener accepts' },
      { controlId: this.ctx.nextControlId(), now: new Date(), text: 'message too large' },
    );
  }

  private enqueue(ack: Promise<string | null>): void {
    this.tail = this.tail.then(async () => {
      const text = await ack.catch((err) => {
        this.log.error({ peer: this.peer, err }, 'MLLP handler failed');
        return null;
      });
      this.unanswered -= 1;
      if (text !== null && !this.socket.destroyed) {
        if (!this.socket.write(frameMllp(text))) this.acksUnread = true;
        this.largestAckBacklog = Math.max(this.largestAckBacklog, this.socket.writableLength);
      }
      if (this.tooManyUnanswered && this.unanswered <= this.maxUnanswered / 2) this.tooManyUnanswered = false;
      this.updateReading();
    });
  }

  /** Stops or starts reading from the sender because whatever takes the messages is behind. */
  setPaused(paused: boolean): void {
    this.listenerPaused = paused;
    this.updateReading();
  }

  /** True while this connection is not read because its sender does not read its ACKs. */
  get waitingForAckReader(): boolean {
    return this.acksUnread && !this.socket.destroyed;
  }

  /** ACK bytes written and not yet taken by the network. */
  get ackBacklog(): number {
    return this.socket.destroyed ? 0 : this.socket.writableLength;
  }

  private updateReading(): void {
    const stop = this.closing || this.listenerPaused || this.acksUnread || this.tooManyUnanswered;
    if (stop) {
      if (!this.socket.isPaused()) this.socket.pause();
    } else if (this.socket.isPaused()) this.socket.resume();
  }

  /** Stops reading, finishes and acknowledges what is in flight, then closes. */
  async drainAndClose(): Promise<void> {
    if (this.closing) return this.tail;
    this.closing = true;
    this.socket.pause();
    await this.tail;
    await new Promise<void>((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.end(() => resolve());
      setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 2000).unref();
    });
  }
}
