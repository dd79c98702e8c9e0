import WebSocket from 'ws';

export interface DeviceAlert {
  id: number;
  title: string;
  priority: string;
  status: string;
  myState: string | null;
  recipients: Array<{ personId: string; state: string }>;
  acknowledgedBy: { personId: string } | null;
  choices: string[];
}

/**
 * A fake clinician device: signs in, holds a real WebSocket to Switchboard, says `delivered` for every
 * alert it receives (as the page does), and answers on command.
 */
export class FakeDevice {
  readonly frames: Array<Record<string, unknown>> = [];
  private waiters: Array<() => void> = [];
  private refs = 0;

  private constructor(
    readonly name: string,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      this.frames.push(frame);
      if (frame.type === 'alert') {
        const alert = frame.alert as DeviceAlert;
        if (alert.myState === 'queued') socket.send(JSON.stringify({ type: 'delivered', alertId: alert.id }));
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(httpUrl: string, token: string, name = 'device'): Promise<FakeDevice> {
    const socket = new WebSocket(
      `${httpUrl.replace('http', 'ws')}/api/ws?token=${encodeURIComponent(token)}`,
    );
    // Listen before 'open': the server's welcome can arrive in the same chunk as the handshake.
    const device = new FakeDevice(name, socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await device.waitFor((f) => f.type === 'welcome');
    socket.send(JSON.stringify({ type: 'hello' }));
    return device;
  }

  /** Every alert frame received, latest state per alert id. */
  alerts(): Map<number, DeviceAlert> {
    const out = new Map<number, DeviceAlert>();
    for (const f of this.frames)
      if (f.type === 'alert') out.set((f.alert as DeviceAlert).id, f.alert as DeviceAlert);
    return out;
  }

  waitFor(
    pred: (frame: Record<string, unknown>) => boolean,
    timeoutMs = 5000,
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: no matching frame within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = () => {
        const hit = this.frames.find(pred);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  waitForAlert(pred: (a: DeviceAlert) => boolean = () => true): Promise<DeviceAlert> {
    return this.waitFor((f) => f.type === 'alert' && pred(f.alert as DeviceAlert)).then(
      (f) => f.alert as DeviceAlert,
    );
  }

  /** Sends an answer and resolves with the server's `ok` (or rejects with its `error`). */
  async answer(
    type: 'accept' | 'reject' | 'acknowledge' | 'read' | 'reply',
    alertId: number,
    choice?: string,
  ) {
    const ref = `${this.name}-${++this.refs}`;
    this.socket.send(JSON.stringify({ type, alertId, ref, choice }));
    if (type === 'read') return undefined;
    const frame = await this.waitFor((f) => f.ref === ref);
    if (frame.type === 'error') throw new Error(String(frame.message));
    return frame.alert as DeviceAlert;
  }

  /** Sends any client frame (message receipts, say) without waiting for an answer. */
  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  close(): void {
    this.socket.close();
  }
}
