/** Fresh identifiers: branch (RFC 3261 section 8.1.1.7), tag (section 19.3), Call-ID (section 8.1.1.4). */
import { randomBytes } from 'node:crypto';
import { MAGIC_COOKIE } from './via.ts';

/** The magic cookie plus 96 random bits. */
export function newBranch(): string {
  return MAGIC_COOKIE + randomBytes(12).toString('base64url');
}

/** At least 32 random bits, as section 19.3 asks; we use 64. */
export function newTag(): string {
  return randomBytes(8).toString('hex');
}

/** 96 random bits, optionally `@host`. */
export function newCallId(host?: string): string {
  const id = randomBytes(12).toString('hex');
  return host === undefined ? id : `${id}@${host}`;
}
