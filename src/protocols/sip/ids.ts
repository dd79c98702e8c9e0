/** Fresh identifiers: branch (RFC 3261 section 8.1.1.7), tag (section 19.3), Call-ID (section 8.1.1.4). */
import { randomFillSync } from 'node:crypto';
import { MAGIC_COOKIE } from './via.ts';

// Random bytes drawn from the CSPRNG 4 KiB at a time: a call needs a dozen identifiers, and one
// system call per identifier showed in profiles at hundreds of calls per second.
const pool = Buffer.alloc(4096);
let used = pool.length;

function random(n: number): Buffer {
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const out = pool.subarray(used, used + n);
  used += n;
  return out;
}

/** The magic cookie plus 96 random bits. */
export function newBranch(): string {
  return MAGIC_COOKIE + random(12).toString('base64url');
}

/** At least 32 random bits, as section 19.3 asks; we use 64. */
export function newTag(): string {
  return random(8).toString('hex');
}

/** 96 random bits, optionally `@host`. */
export function newCallId(host?: string): string {
  const id = random(12).toString('hex');
  return host === undefined ? id : `${id}@${host}`;
}
