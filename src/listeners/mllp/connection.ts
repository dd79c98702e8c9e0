import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { buildRejectAck } from '../../protocols/hl7/index.ts';
import { frameMllp, MllpDecoder } from '../../protocols/hl7/mllp.ts';
import { type ReceiveContext, receiveFrame } from './receive.ts';

export interface ConnectionOptions {
  maxFrameBytes: number;
  idleTimeoutMs: number;
}

/**
 * One sender's connection. Frames are handled as they arrive (so pipelined messages share a group commit)
 * but their ACKs leave strictly in arrival order. A frame past the size limit gets an AR and the
 * connection is closed, since what follows it on the stream cannot be trusted.
 */
export class MllpConnection {
  private readonly decoder: MllpDecoder;
  private tail: Promise<void> = Promise.resolve();
  private closing = false;
  readonly peer: string;
  received = 0;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ReceiveContext,
    private readonly log: Logger,
    options: ConnectionOptions,
  ) {
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.decoder = new MllpDecoder({ maxFrameBytes: options.maxFrameBytes });
    socket.setNoDelay(true);
    if (options.idleTimeoutMs > 0) {
      socket.setTimeout(options.idleTimeoutMs, () => {
        this.log.info({ peer: this.peer }, 'closing idle MLLP connection');
        void this.drainAndClose();
      });
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
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
        this.enqueue(receiveFrame(this.ctx, event.body, this.peer).then((o) => o.ack));
      } else {
        this.log.warn(
          { peer: this.peer, size: event.size },
          'MLLP frame over the size limit; rejecting and closing',
        );
        this.enqueue(Promise.resolve(this.oversizeAck(event.head)));
        void this.drainAndClose();
        return;
      }
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
      if (text !== null && !this.socket.destroyed) this.socket.write(frameMllp(text));
    });
  }

  /** Stops or starts reading from the sender (backpressure); a closing connection stays paused. */
  setPaused(paused: boolean): void {
    if (paused) this.socket.pause();
    else if (!this.closing) this.socket.resume();
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
