// Types for alert-socket.js, for the unit tests (never served).
export declare const CLOSE_UNAUTHORISED: 4401;
export declare const CLOSE_NOT_A_RECIPIENT: 4403;
export interface Backoff {
  firstMs: number;
  maxMs: number;
  connectTimeoutMs: number;
}
export declare const BACKOFF: Readonly<Backoff>;
export declare function backoffDelay(attempt: number, random?: () => number, backoff?: Backoff): number;
export declare function socketUrl(location: { protocol: string; host: string }, token: string): string;
export interface SocketStatus {
  state: 'connecting' | 'connected' | 'reconnecting' | 'signed-out' | 'stopped';
  retryInMs?: number;
  attempt?: number;
  code?: number;
}
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export interface AlertSocketOptions {
  url: string;
  WebSocket: new (url: string) => SocketLike;
  onFrame: (frame: { type: string; [field: string]: unknown }) => void;
  onStatus?: (status: SocketStatus) => void;
  timers?: {
    setTimeout: (fn: () => void, ms: number) => unknown;
    clearTimeout: (handle: unknown) => void;
  };
  random?: () => number;
  backoff?: Backoff;
}
export declare class AlertSocket {
  constructor(options: AlertSocketOptions);
  readonly state: string;
  start(): void;
  send(frame: object): boolean;
  reconnectNow(): void;
  stop(): void;
}
