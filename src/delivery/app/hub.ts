import type { Logger } from 'pino';
import type { Alert, AlertStore } from '../../store/alert-port.ts';
import type { ChatMessage, Conversation } from '../../store/conversation-port.ts';
import { alertView } from './alert-view.ts';
import { conversationView, messageView } from './message-view.ts';

/** The part of a WebSocket the hub needs (the `ws` package's socket fits). */
export interface ClinicianSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', fn: (data: Buffer | string) => void): unknown;
  on(event: 'close', fn: () => void): unknown;
}

export type ClinicianAnswer = 'delivered' | 'read' | 'accept' | 'reject' | 'acknowledge' | 'reply';

export interface HubDeps {
  alerts: AlertStore;
  nameOf: (personId: string) => string | undefined;
  /** Hands a clinician's answer to the routing core; rejects with an error carrying `code` when refused. */
  answer: (alertId: number, personId: string, action: ClinicianAnswer, choice?: string) => Promise<Alert>;
  /** Hands a message receipt to the routing core's messaging; rejects with an error carrying `code`. */
  messageReceipt?: (personId: string, messageId: number, state: 'delivered' | 'read') => Promise<unknown>;
  log: Logger;
}

const receipts = new Map([
  ['message-delivered', 'delivered'],
  ['message-read', 'read'],
] as const);

const answers = new Set<ClinicianAnswer>(['delivered', 'read', 'accept', 'reject', 'acknowledge', 'reply']);

/**
 * The app channel: every clinician connected over WebSocket, by person. It pushes alerts as the routing
 * core notifies, replays open alerts on `hello` (so a reconnect misses nothing), and hands answers back.
 * Protocol: docs/websocket.md.
 */
export class ClinicianHub {
  private readonly sockets = new Map<string, Set<ClinicianSocket>>();

  constructor(private readonly deps: HubDeps) {}

  get connected(): number {
    let n = 0;
    for (const set of this.sockets.values()) n += set.size;
    return n;
  }

  isConnected(personId: string): boolean {
    return (this.sockets.get(personId)?.size ?? 0) > 0;
  }

  attach(socket: ClinicianSocket, person: { id: string; name: string }): void {
    const set = this.sockets.get(person.id) ?? new Set<ClinicianSocket>();
    this.sockets.set(person.id, set);
    set.add(socket);
    socket.on('close', () => {
      set.delete(socket);
      if (set.size === 0) this.sockets.delete(person.id);
    });
    socket.on('message', (data) => void this.onFrame(socket, person.id, data));
    this.send(socket, { type: 'welcome', person, serverTime: new Date().toISOString() });
  }

  /** NotificationPort: the person should see this alert now. */
  notify(personId: string, alert: Alert): void {
    const set = this.sockets.get(personId);
    if (!set?.size) return;
    void this.push(personId, alert, set);
  }

  /** NotificationPort: refresh the alert on every connected recipient's device. */
  changed(alert: Alert): void {
    void (async () => {
      const recipients = await this.deps.alerts.recipients(alert.id);
      const fresh = (await this.deps.alerts.get(alert.id)) ?? alert;
      for (const r of recipients) {
        const set = this.sockets.get(r.personId);
        if (!set?.size) continue;
        if (fresh.status === 'closed') {
          for (const s of set) this.send(s, { type: 'removed', alertId: alert.id, reason: 'closed' });
        } else await this.push(r.personId, fresh, set);
      }
    })().catch((err) =>
      this.deps.log.error({ err, alertId: alert.id }, 'could not refresh alert on devices'),
    );
  }

  /** MessagingDelivery: a clinician's message for this person (also the sender's own copy). */
  message(personId: string, conversation: Conversation, message: ChatMessage): void {
    const frame = {
      type: 'message',
      conversation: conversationView(conversation, this.deps.nameOf),
      message: messageView(message, this.deps.nameOf),
    };
    for (const s of this.sockets.get(personId) ?? []) this.send(s, frame);
  }

  /** MessagingDelivery: a recipient's device has the message, or showed it; the sender hears of it. */
  receipt(personId: string, message: ChatMessage): void {
    const frame = { type: 'receipt', message: messageView(message, this.deps.nameOf) };
    for (const s of this.sockets.get(personId) ?? []) this.send(s, frame);
  }

  private async push(personId: string, alert: Alert, set: Set<ClinicianSocket>): Promise<void> {
    const view = await alertView(this.deps.alerts, alert, personId, this.deps.nameOf);
    for (const s of set) this.send(s, { type: 'alert', alert: view });
  }

  private async onFrame(socket: ClinicianSocket, personId: string, data: Buffer | string): Promise<void> {
    let frame: { type?: string; alertId?: unknown; ref?: unknown; choice?: unknown };
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return this.send(socket, { type: 'error', code: 'bad-frame', message: 'frames are JSON objects' });
    }
    const ref = typeof frame.ref === 'string' ? frame.ref : undefined;
    if (frame.type === 'hello') return this.replay(socket, personId);
    const receipt = receipts.get(frame.type as 'message-delivered' | 'message-read');
    if (receipt && this.deps.messageReceipt) {
      const messageId = Number((frame as { messageId?: unknown }).messageId);
      if (!Number.isInteger(messageId))
        return this.send(socket, {
          type: 'error',
          code: 'bad-frame',
          message: 'messageId must be a number',
          ref,
        });
      try {
        await this.deps.messageReceipt(personId, messageId, receipt);
      } catch (err) {
        const e = err as Error & { code?: string };
        this.send(socket, { type: 'error', code: e.code ?? 'failed', message: e.message, ref });
      }
      return;
    }
    if (!answers.has(frame.type as ClinicianAnswer)) {
      return this.send(socket, {
        type: 'error',
        code: 'unknown-type',
        message: `unknown frame type ${String(frame.type)}`,
        ref,
      });
    }
    const alertId = Number(frame.alertId);
    if (!Number.isInteger(alertId)) {
      return this.send(socket, {
        type: 'error',
        code: 'bad-frame',
        message: 'alertId must be a number',
        ref,
      });
    }
    try {
      const alert = await this.deps.answer(
        alertId,
        personId,
        frame.type as ClinicianAnswer,
        typeof frame.choice === 'string' ? frame.choice : undefined,
      );
      if (frame.type !== 'delivered' && frame.type !== 'read') {
        this.send(socket, {
          type: 'ok',
          ref,
          alert: await alertView(this.deps.alerts, alert, personId, this.deps.nameOf),
        });
      }
    } catch (err) {
      const e = err as Error & { code?: string };
      this.send(socket, { type: 'error', code: e.code ?? 'failed', message: e.message, ref });
    }
  }

  /** Every connected device gets its person's alerts again, as on reconnect (after a relay outage). */
  async replayAll(): Promise<void> {
    for (const [personId, set] of this.sockets) for (const socket of set) await this.replay(socket, personId);
  }

  private async replay(socket: ClinicianSocket, personId: string): Promise<void> {
    const open = await this.deps.alerts.forPerson(personId, { limit: 200 });
    for (const a of open.reverse()) {
      this.send(socket, {
        type: 'alert',
        alert: await alertView(this.deps.alerts, a, personId, this.deps.nameOf),
      });
    }
    // The end of the replay: a device drops what it holds that was not replayed (closed while it was away).
    this.send(socket, { type: 'replayed', alertIds: open.map((a) => a.id) });
  }

  private send(socket: ClinicianSocket, frame: unknown): void {
    try {
      socket.send(JSON.stringify(frame));
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'could not send to a clinician socket');
    }
  }
}
