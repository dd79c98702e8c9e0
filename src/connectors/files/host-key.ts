/**
 * The SFTP server's host key, pinned in config as its SHA-256 fingerprint, the way `ssh-keygen -lf` prints
 * it ('256 SHA256:q5X... host (ED25519)', or just 'SHA256:q5X...'). A server that shows any other key is
 * refused: an unknown key accepted once would let anyone between us and the server read the schedule.
 */
import { createHash } from 'node:crypto';

const FINGERPRINT = /SHA256:([A-Za-z0-9+/]{43})=?/;

/** The fingerprint in a configured value ('SHA256:...'), or undefined when none is there. */
export function pinnedFingerprint(configured: string): string | undefined {
  const m = FINGERPRINT.exec(configured);
  return m ? `SHA256:${m[1]}` : undefined;
}

/** OpenSSH's SHA-256 fingerprint of a public key blob (the wire encoding the server sends). */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}
