// One clinician's WebSocket to Switchboard (docs/websocket.md), kept open for as long as they are signed in.
//
//   start ─> connecting ──welcome──> connected ──drop──> reconnecting (wait backoff) ──> connecting ...
//                │                                                  ^
//                └──no welcome within connectTimeoutMs──────────────┘
//   close code 4401 (token missing or expired) or 4403 (account receives no alerts) ─> signed-out: never
//   retried, the person must sign in again.
//
// After every `welcome` we send `hello`, and the server replays each open alert, so an alert raised while the
// phone was in a lift is not lost. The WebSocket class and the timers are parameters so tests can drive them.

/** The server's close code for a missing or expired token (docs/websocket.md, "Signing in"). */
export const CLOSE_UNAUTHORISED = 4401;
/** The account is signed in but is not a person who receives alerts (an analyst's account). */
export const CLOSE_NOT_A_RECIPIENT = 4403;
/** Close codes after which trying again cannot help: the person has to sign in (again, or as someone else). */
const FINAL_CLOSE_CODES = new Set([CLOSE_UNAUTHORISED, CLOSE_NOT_A_RECIPIENT]);

export const BACKOFF = Object.freeze({ firstMs: 500, maxMs: 30_000, connectTimeoutMs: 10_000 });

/**
 * Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at 30 s, each scaled by a random 50–100 % so that
 * a ward full of phones does not reconnect in one burst after a server restart (AWS "Exponential Backoff And
 * Jitter", the "equal jitter" variant: never less than half the step, so the wait still grows).
 */
export function backoffDelay(attempt, random = Math.random, backoff = BACKOFF) {
  const step = Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.max(0, attempt));
  return Math.round(step / 2 + (step / 2) * random());
}

/** `ws://host/api/ws?token=…` for a page served over http, `wss://` over https. */
export function socketUrl(location, token) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/ws?token=${encodeURIComponent(token)}`;
}

export class AlertSocket {
  #options;
  #ws = null;
  #attempt = 0;
  #retryTimer = null;
  #connectTimer = null;
  #stopped = false;
  #status = 'idle';

  /**
   * @param {{
   *   url: string,
   *   WebSocket: typeof WebSocket,
   *   onFrame: (frame: object) => void,
   *   onStatus?: (status: {state: string, retryInMs?: number, attempt?: number}) => void,
   *   timers?: {setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout},
   *   random?: () => number,
   *   backoff?: typeof BACKOFF,
   * }} options
   */
  constructor(options) {
    this.#options = { timers: globalThis, random: Math.random, backoff: BACKOFF, ...options };
  }

  get state() {
    return this.#status;
  }

  start() {
    this.#stopped = false;
    this.#open();
  }

  /** Sends one client frame; false when the socket is not connected (the caller tells the person). */
  send(frame) {
    if (this.#status !== 'connected' || !this.#ws) return false;
    this.#ws.send(JSON.stringify(frame));
    return true;
  }

  /** The network came back or the phone woke up: skip the rest of the wait and try at once. */
  reconnectNow() {
    if (this.#stopped || this.#status === 'connected' || this.#status === 'connecting') return;
    this.#attempt = 0;
    this.#clearTimers();
    this.#open();
  }

  stop() {
    this.#stopped = true;
    this.#clearTimers();
    const ws = this.#ws;
    this.#ws = null;
    if (ws) ws.close(1000, 'signed out');
    this.#setStatus({ state: 'stopped' });
  }

  #open() {
    const { WebSocket, url, timers, backoff } = this.#options;
    this.#setStatus({ state: 'connecting', attempt: this.#attempt });
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    // A socket can hang half-open on a mobile network; without a welcome in time, count it as dropped.
    this.#connectTimer = timers.setTimeout(() => {
      this.#connectTimer = null;
      if (this.#ws === ws && this.#status === 'connecting') this.#dropped(ws);
    }, backoff.connectTimeoutMs);
    ws.onmessage = (event) => this.#received(ws, event.data);
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      if (FINAL_CLOSE_CODES.has(event.code)) {
        this.#ws = null;
        this.#stopped = true;
        this.#clearTimers();
        this.#setStatus({ state: 'signed-out', code: event.code });
        return;
      }
      this.#dropped(ws);
    };
    // The browser always follows an error with a close event; the close decides what happens next.
    ws.onerror = () => {};
  }

  #received(ws, data) {
    if (this.#ws !== ws) return;
    let frame;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return; // Not one of ours; the protocol says every frame is JSON.
    }
    if (!frame || typeof frame !== 'object') return;
    if (frame.type === 'welcome') {
      this.#attempt = 0;
      if (this.#connectTimer) this.#options.timers.clearTimeout(this.#connectTimer);
      this.#connectTimer = null;
      this.#setStatus({ state: 'connected' });
      ws.send(JSON.stringify({ type: 'hello' }));
    }
    this.#options.onFrame(frame);
  }

  #dropped(ws) {
    ws.onclose = null;
    ws.onmessage = null;
    try {
      ws.close();
    } catch {
      // Already closed.
    }
    this.#ws = null;
    if (!this.#stopped) this.#scheduleRetry();
  }

  #scheduleRetry() {
    this.#clearTimers();
    const retryInMs = backoffDelay(this.#attempt, this.#options.random, this.#options.backoff);
    this.#attempt += 1;
    this.#setStatus({ state: 'reconnecting', retryInMs, attempt: this.#attempt });
    this.#retryTimer = this.#options.timers.setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#stopped) this.#open();
    }, retryInMs);
  }

  #clearTimers() {
    const { timers } = this.#options;
    if (this.#retryTimer) timers.clearTimeout(this.#retryTimer);
    if (this.#connectTimer) timers.clearTimeout(this.#connectTimer);
    this.#retryTimer = null;
    this.#connectTimer = null;
  }

  #setStatus(status) {
    this.#status = status.state;
    this.#options.onStatus?.(status);
  }
}
