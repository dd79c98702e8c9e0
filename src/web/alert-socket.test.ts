import { describe, expect, it } from 'vitest';
import {
  AlertSocket,
  BACKOFF,
  backoffDelay,
  type SocketLike,
  type SocketStatus,
  socketUrl,
} from './public/alert-socket.js';

/** A WebSocket stand-in the test drives by hand. */
class FakeSocket implements SocketLike {
  static made: FakeSocket[] = [];
  sent: unknown[] = [];
  closedWith?: number;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1005) {
    this.closedWith = code;
  }
  serverSends(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  serverCloses(code: number) {
    this.onclose?.({ code });
  }
}

/** Timers the test advances itself: no real waiting, no assertions on wall-clock time. */
class ManualTimers {
  private now = 0;
  private next = 1;
  private due = new Map<number, { at: number; fn: () => void }>();
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.due.set(id, { at: this.now + ms, fn });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.due.delete(id as number);
  };
  advance(ms: number) {
    const until = this.now + ms;
    for (;;) {
      const [id, timer] = [...this.due].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
      if (!timer || timer.at > until) break;
      this.due.delete(id!);
      this.now = timer.at;
      timer.fn();
    }
    this.now = until;
  }
  get pending() {
    return this.due.size;
  }
}

function setUp() {
  FakeSocket.made = [];
  const timers = new ManualTimers();
  const frames: Array<{ type: string }> = [];
  const statuses: SocketStatus[] = [];
  const socket = new AlertSocket({
    url: 'ws://sb/api/ws?token=t',
    WebSocket: FakeSocket,
    onFrame: (f) => frames.push(f),
    onStatus: (s) => statuses.push(s),
    timers,
    random: () => 1,
  });
  const last = () => FakeSocket.made[FakeSocket.made.length - 1];
  return { socket, timers, frames, statuses, last };
}

describe('backoffDelay', () => {
  it('doubles from half a second up to thirty, never below half of each step', () => {
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, () => 1))).toEqual([500, 1000, 2000, 4000, 30_000]);
    expect([0, 1, 2, 10].map((n) => backoffDelay(n, () => 0))).toEqual([250, 500, 1000, 15_000]);
  });
});

describe('socketUrl', () => {
  it('follows the page scheme and escapes the token', () => {
    expect(socketUrl({ protocol: 'https:', host: 'sb.example:8443' }, 'a+b/c')).toBe(
      'wss://sb.example:8443/api/ws?token=a%2Bb%2Fc',
    );
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8080' }, 't')).toBe(
      'ws://127.0.0.1:8080/api/ws?token=t',
    );
  });
});

describe('AlertSocket', () => {
  it('says hello after the welcome and hands every frame on', () => {
    const { socket, frames, statuses, last } = setUp();
    socket.start();
    expect(statuses.at(-1)?.state).toBe('connecting');
    expect(socket.send({ type: 'read', alertId: 1 })).toBe(false); // not before the welcome
    last().serverSends({ type: 'welcome', person: { id: 'p1' } });
    expect(last().sent).toEqual([{ type: 'hello' }]);
    expect(statuses.at(-1)?.state).toBe('connected');
    last().serverSends({ type: 'alert', alert: { id: 1 } });
    expect(frames.map((f) => f.type)).toEqual(['welcome', 'alert']);
    expect(socket.send({ type: 'read', alertId: 1 })).toBe(true);
    expect(last().sent.at(-1)).toEqual({ type: 'read', alertId: 1 });
  });

  it('reconnects with growing waits after drops and says hello again on each new welcome', () => {
    const { socket, timers, statuses, last } = setUp();
    socket.start();
    last().serverSends({ type: 'welcome' });
    last().serverCloses(1006);
    expect(statuses.at(-1)).toEqual({ state: 'reconnecting', retryInMs: 500, attempt: 1 });
    timers.advance(499);
    expect(FakeSocket.made).toHaveLength(1);
    timers.advance(1);
    expect(FakeSocket.made).toHaveLength(2);
    last().serverCloses(1006); // refused again before any welcome: the wait grows
    expect(statuses.at(-1)?.retryInMs).toBe(1000);
    timers.advance(1000);
    expect(FakeSocket.made).toHaveLength(3);
    last().serverSends({ type: 'welcome' });
    expect(last().sent).toEqual([{ type: 'hello' }]);
    last().serverCloses(1001); // after a welcome the wait starts small again
    expect(statuses.at(-1)?.retryInMs).toBe(500);
  });

  it('gives up on a socket that never gets a welcome and tries again', () => {
    const { socket, timers, last } = setUp();
    socket.start();
    timers.advance(BACKOFF.connectTimeoutMs);
    expect(FakeSocket.made[0].closedWith).toBeDefined();
    timers.advance(500);
    expect(FakeSocket.made).toHaveLength(2);
    last().serverSends({ type: 'welcome' });
    timers.advance(BACKOFF.connectTimeoutMs * 2);
    expect(FakeSocket.made).toHaveLength(2); // connected sockets are not timed out
  });

  it('stops for good on 4401 and reports signed-out', () => {
    const { socket, timers, statuses, last } = setUp();
    socket.start();
    last().serverCloses(4401);
    expect(statuses.at(-1)?.state).toBe('signed-out');
    timers.advance(60_000);
    expect(FakeSocket.made).toHaveLength(1);
    expect(timers.pending).toBe(0);
  });

  it('stops for good on 4403 (an account that receives no alerts) and says which code', () => {
    const { socket, timers, statuses, last } = setUp();
    socket.start();
    last().serverSends({ type: 'welcome' });
    last().serverCloses(4403);
    expect(statuses.at(-1)).toEqual({ state: 'signed-out', code: 4403 });
    timers.advance(60_000);
    expect(FakeSocket.made).toHaveLength(1);
    expect(socket.send({ type: 'hello' })).toBe(false);
  });

  it('reconnects at once when asked (network back), and not at all after stop', () => {
    const { socket, timers, last } = setUp();
    socket.start();
    last().serverSends({ type: 'welcome' });
    for (let i = 0; i < 5; i++) {
      last().serverCloses(1006);
      timers.advance(30_000);
    }
    last().serverCloses(1006);
    const before = FakeSocket.made.length;
    socket.reconnectNow();
    expect(FakeSocket.made).toHaveLength(before + 1);
    socket.reconnectNow(); // already connecting: no second socket
    expect(FakeSocket.made).toHaveLength(before + 1);
    socket.stop();
    expect(last().closedWith).toBe(1000);
    timers.advance(60_000);
    expect(FakeSocket.made).toHaveLength(before + 1);
    expect(socket.state).toBe('stopped');
  });

  it('ignores frames that are not JSON objects and frames from a socket it already dropped', () => {
    const { socket, frames, timers, last } = setUp();
    socket.start();
    const first = last();
    first.onmessage?.({ data: 'not json' });
    first.onmessage?.({ data: '42' });
    first.serverSends({ type: 'welcome' });
    first.serverCloses(1006);
    timers.advance(500);
    first.serverSends({ type: 'alert', alert: { id: 9 } });
    expect(frames.map((f) => f.type)).toEqual(['welcome']);
  });
});
