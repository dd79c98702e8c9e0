/**
 * Password and security-code hashes (`scrypt$N$salt$hash`, base64url; safe to keep in git), computed on
 * worker threads of their own. scrypt is slow by design (~50 ms at N=2^15), and on libuv's shared pool
 * sixteen parallel wrong sign-ins queued ahead of the store's fdatasync and delayed a nurse call by a
 * second or more; here hashing can only ever wait for hashing.
 *
 * Waiting checks are bounded: past `maxWaiting` a check is refused at once with PasswordHashingBusy,
 * which the API answers with 503 + Retry-After and WCTP with 605 (service unavailable).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** N=2^15 costs ~50 ms here: enough against guessing, cheap enough for sign-in. */
const N = 32768;
const KEY_LENGTH = 32;
/** Costs outside this range are refused: a hash from config must not make us allocate gigabytes. */
const MIN_N = 1024;
const MAX_N = 1 << 20;

export interface PasswordHashingOptions {
  /** Threads that run scrypt (each takes a core while it works). @defaultValue 1 */
  threads: number;
  /** Checks that may wait for a thread; more are refused with PasswordHashingBusy. @defaultValue 32 */
  maxWaiting: number;
}

export const defaultPasswordHashing: Readonly<PasswordHashingOptions> = Object.freeze({
  threads: 1,
  maxWaiting: 32,
});

/** Too many checks are waiting for a hashing thread: refuse now, ask to try again shortly. */
export class PasswordHashingBusy extends Error {
  readonly retryAfterSeconds = 1;
  constructor() {
    super('too many passwords are being checked at once');
    this.name = 'PasswordHashingBusy';
  }
}

interface Job {
  id: number;
  password: string;
  salt: Buffer;
  n: number;
  resolve(key: Buffer): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  job: Job | undefined;
}

export class PasswordHasher {
  private readonly options: PasswordHashingOptions;
  private readonly threads: Thread[] = [];
  private readonly waiting: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: Partial<PasswordHashingOptions> = {}) {
    this.options = { ...defaultPasswordHashing, ...options };
    if (!(this.options.threads >= 1)) throw new Error('password hashing needs at least one thread');
    if (!(this.options.maxWaiting >= 0)) throw new Error('maxWaiting must be 0 or more');
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.derive(password, salt, N);
    return `scrypt$${N}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  /** False for a wrong password or a malformed hash; throws PasswordHashingBusy when the queue is full. */
  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, cost, salt, hash, extra] = stored.split('$');
    const n = Number(cost);
    if (scheme !== 'scrypt' || !salt || !hash || extra !== undefined) return false;
    if (!Number.isInteger(n) || n < MIN_N || n > MAX_N || (n & (n - 1)) !== 0) return false;
    const expected = Buffer.from(hash, 'base64url');
    const key = await this.derive(password, Buffer.from(salt, 'base64url'), n);
    return key.length === expected.length && timingSafeEqual(key, expected);
  }

  /** Checks waiting for a thread right now (not counting those being hashed). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Ends the threads; checks still waiting fail. The hasher starts threads again if used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const stopping = new Error('password hashing stopped');
    for (const job of this.waiting.splice(0)) job.reject(stopping);
    const threads = this.threads.splice(0);
    for (const t of threads) {
      t.job?.reject(stopping);
      t.job = undefined;
    }
    await Promise.all(threads.map((t) => t.worker.terminate()));
    this.closed = false;
  }

  private derive(password: string, salt: Buffer, n: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('password hashing stopped'));
    return new Promise<Buffer>((resolve, reject) => {
      const job: Job = { id: this.nextId++, password, salt, n, resolve, reject };
      const idle = this.idleThread();
      if (idle) return this.start(idle, job);
      if (this.waiting.length >= this.options.maxWaiting) return reject(new PasswordHashingBusy());
      this.waiting.push(job);
    });
  }

  private idleThread(): Thread | undefined {
    const idle = this.threads.find((t) => !t.job);
    if (idle) return idle;
    if (this.threads.length < this.options.threads) return this.spawn();
    return undefined;
  }

  private spawn(): Thread {
    const worker = new Worker(new URL('./password-worker.mjs', import.meta.url));
    const thread: Thread = { worker, job: undefined };
    worker.unref();
    worker.on('message', (m: { id: number; key?: Uint8Array; error?: string }) => {
      const job = thread.job;
      if (!job || job.id !== m.id) return;
      thread.job = undefined;
      // Idle threads must not keep a process alive (a CLI command, a test run) at its end.
      worker.unref();
      if (m.key) job.resolve(Buffer.from(m.key.buffer, m.key.byteOffset, m.key.byteLength));
      else job.reject(new Error(`scrypt failed: ${m.error}`));
      this.next(thread);
    });
    const lost = (err: Error) => {
      const at = this.threads.indexOf(thread);
      if (at < 0) return;
      this.threads.splice(at, 1);
      thread.job?.reject(err);
      thread.job = undefined;
      // A waiting check gets a fresh thread rather than waiting forever.
      const job = this.waiting.shift();
      if (job && !this.closed) this.start(this.spawn(), job);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`password hashing thread ended (exit code ${code})`)));
    this.threads.push(thread);
    return thread;
  }

  private start(thread: Thread, job: Job): void {
    thread.job = job;
    // Referenced while it works, so that a process awaiting a hash (`switchboard hash-password`) waits.
    thread.worker.ref();
    thread.worker.postMessage({
      id: job.id,
      password: job.password,
      salt: job.salt,
      keyLength: KEY_LENGTH,
      cost: { N: job.n, r: 8, p: 1, maxmem: 256 * job.n * 8 },
    });
  }

  private next(thread: Thread): void {
    const job = this.waiting.shift();
    if (job) this.start(thread, job);
  }
}

let shared: PasswordHasher | undefined;

/** The process's hasher, for callers that are not handed one (the CLI, test set-up, benchmarks). */
export function sharedPasswordHasher(): PasswordHasher {
  shared ??= new PasswordHasher();
  return shared;
}

export function hashPassword(password: string): Promise<string> {
  return sharedPasswordHasher().hash(password);
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return sharedPasswordHasher().verify(password, stored);
}
