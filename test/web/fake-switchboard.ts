import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerPages } from '../../src/web/pages.ts';

/**
 * A stand-in for the server side of docs/websocket.md, written from the document alone, so the page's own
 * behaviour (reconnect, replay, answers, removal, sign-out) can be driven precisely. The real server is
 * exercised by clinician.test.ts.
 */
export interface FakeAlert {
  id: number;
  title: string;
  body: string;
  priority: 'urgent' | 'high' | 'normal' | 'low';
  status: 'open' | 'acknowledged' | 'closed';
  createdAt: string;
  myState: string;
  patient: { mrn: string; name: string; location: string } | null;
  recipients: Array<{ personId: string; name: string; state: string }>;
  acknowledgedBy: string | null;
  choices: string[];
  actions: string[];
}

interface Event {
  at: string;
  kind: string;
  personId: string | null;
  detail: string;
}

/** The part of a `ws` socket this fake uses (the `ws` package ships no types here). */
interface WebSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'close', fn: () => void): void;
}

const PERSON = { id: 'p-okafor', name: 'Chidi Okafor, RN' };
const PASSWORD = 'night-shift-2';

export class FakeSwitchboard {
  readonly app: FastifyInstance = Fastify();
  /** Every frame the page sent, in order. */
  readonly received: Array<{ type: string; alertId?: number; ref?: string; choice?: string }> = [];
  readonly alerts = new Map<number, FakeAlert>();
  readonly timelines = new Map<number, Event[]>();
  private sockets = new Set<WebSocket>();
  private tokens = new Set<string>();
  private nextToken = 1;
  /** When set, the upgrade is refused with HTTP 401 (what a server that checks the token first does). */
  refuseHandshake = false;
  url = '';

  static readonly username = 'c.okafor';
  static readonly password = PASSWORD;
  static readonly person = PERSON;

  async start(): Promise<this> {
    const app = this.app;
    await app.register(websocket);
    registerPages(app);
    app.post('/api/session', async (req, reply) => {
      const { username, password } = (req.body ?? {}) as { username?: string; password?: string };
      if (username !== FakeSwitchboard.username || password !== PASSWORD)
        return reply
          .code(401)
          .type('application/problem+json')
          .send({ title: 'Wrong user name or password', status: 401 });
      const token = `tok-${this.nextToken++}`;
      this.tokens.add(token);
      return { token, expiresAt: new Date(Date.now() + 3600_000).toISOString(), person: PERSON };
    });
    app.get('/api/alerts', async (req, reply) => {
      if (!this.authorised(req.headers.authorization))
        return reply.code(401).send({ title: 'Sign in required' });
      return { items: [...this.alerts.values()] };
    });
    app.get('/api/alerts/:id', async (req, reply) => {
      if (!this.authorised(req.headers.authorization))
        return reply.code(401).send({ title: 'Sign in required' });
      const id = Number((req.params as { id: string }).id);
      const alert = this.alerts.get(id);
      if (!alert) return reply.code(404).send({ title: 'Alert not found' });
      const timeline = (this.timelines.get(id) ?? []).map((e) => ({
        ...e,
        person: e.personId === PERSON.id ? PERSON.name : e.personId,
      }));
      return { ...alert, timeline };
    });
    app.get('/api/ws', { websocket: true }, (ws, req) => {
      const socket = ws as WebSocket;
      const token = (req.query as { token?: string }).token ?? '';
      if (!this.tokens.has(token)) {
        socket.close(4401, 'sign in again');
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('message', (data) => this.onFrame(socket, JSON.parse(String(data))));
      this.send(socket, { type: 'welcome', person: PERSON, serverTime: new Date().toISOString() });
    });
    app.addHook('onRequest', async (req, reply) => {
      if (req.url.startsWith('/api/ws') && this.refuseHandshake) {
        return reply.code(401).send({ title: 'Sign in required' });
      }
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await this.app.close();
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Raises an alert for the signed-in person and pushes it to every open socket. */
  raise(partial: Partial<FakeAlert> & { id: number; title: string }): FakeAlert {
    const alert: FakeAlert = {
      body: '',
      priority: 'normal',
      status: 'open',
      createdAt: new Date().toISOString(),
      myState: 'queued',
      patient: null,
      recipients: [{ personId: PERSON.id, name: PERSON.name, state: 'queued' }],
      acknowledgedBy: null,
      choices: [],
      actions: ['accept', 'reject', 'acknowledge'],
      ...partial,
    };
    this.alerts.set(alert.id, alert);
    this.event(alert.id, 'received', null, 'ORU^R01 from LAB');
    this.event(alert.id, 'notified', PERSON.id, 'on call, first in call order');
    this.pushAll(alert);
    return alert;
  }

  /** The source cleared the alert: `removed` to every socket. */
  remove(id: number, reason: string): void {
    this.alerts.delete(id);
    for (const s of this.sockets) this.send(s, { type: 'removed', alertId: id, reason });
  }

  /** The alert is closed while nobody is connected: no frame goes out, the replay simply leaves it out. */
  closeQuietly(id: number): void {
    this.alerts.delete(id);
  }

  /** Drops every connection the way a restart or a lost network does (no close frame). */
  dropAll(): void {
    for (const s of this.sockets) s.terminate();
  }

  /** Ends the session server-side: the token is no longer accepted and open sockets close with 4401. */
  revokeAll(): void {
    this.tokens.clear();
    for (const s of this.sockets) s.close(4401, 'session ended');
  }

  /** The tokens stop working but nothing tells the open sockets (a key rotation, a restart with a new secret). */
  revokeTokensQuietly(): void {
    this.tokens.clear();
  }

  private authorised(header: string | undefined): boolean {
    return Boolean(header?.startsWith('Bearer ') && this.tokens.has(header.slice(7)));
  }

  private event(alertId: number, kind: string, personId: string | null, detail: string): void {
    const list = this.timelines.get(alertId) ?? [];
    list.push({ at: new Date().toISOString(), kind, personId, detail });
    this.timelines.set(alertId, list);
  }

  private setState(alert: FakeAlert, state: string): void {
    alert.myState = state;
    alert.recipients = alert.recipients.map((r) => (r.personId === PERSON.id ? { ...r, state } : r));
  }

  private onFrame(
    socket: WebSocket,
    frame: { type: string; alertId?: number; ref?: string; choice?: string },
  ) {
    this.received.push(frame);
    if (frame.type === 'hello') {
      for (const a of [...this.alerts.values()].filter((a) => a.status === 'open'))
        this.send(socket, { type: 'alert', alert: a });
      return;
    }
    const alert = this.alerts.get(Number(frame.alertId));
    if (!alert) {
      this.send(socket, { type: 'error', code: 'not-found', message: 'no such alert', ref: frame.ref });
      return;
    }
    const states: Record<string, string> = {
      delivered: 'delivered',
      read: 'read',
      accept: 'accepted',
      reject: 'rejected',
      acknowledge: 'acknowledged',
      reply: 'acknowledged',
    };
    const state = states[frame.type];
    if (!state) {
      this.send(socket, { type: 'error', code: 'unknown-type', message: 'unknown frame', ref: frame.ref });
      return;
    }
    this.setState(alert, state);
    this.event(alert.id, frame.type === 'reply' ? 'replied' : state, PERSON.id, frame.choice ?? '');
    if (frame.type === 'acknowledge' || frame.type === 'reply') {
      alert.status = 'acknowledged';
      alert.acknowledgedBy = PERSON.id;
      alert.actions = [];
    }
    if (frame.ref) this.send(socket, { type: 'ok', ref: frame.ref, alert });
  }

  private pushAll(alert: FakeAlert): void {
    for (const s of this.sockets) this.send(s, { type: 'alert', alert });
  }

  private send(socket: WebSocket, frame: unknown): void {
    socket.send(JSON.stringify(frame));
  }
}
