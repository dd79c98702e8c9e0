/**
 * Who may submit: each sending system's senderID with its securityCode (WCTP 1.3 wctp-Originator), or,
 * for a transient client, the password it puts in wctp-ClientOriginator@miscInfo. Secrets compare in
 * constant time; a hashed code is checked once per distinct code and then remembered by its SHA-256.
 *
 * Guessing is limited by a sign-in guard keyed by senderID and client address (src/kit/sign-in-guard.ts):
 * a locked sender or address gets 603 (traffic rate excessive: temporary, so a real sender retries and
 * gets through once the lock ends or an admin lifts it) even with the right code. When too many hashed
 * codes wait for the hashing threads the answer is 605 (service unavailable, also temporary).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { PasswordHashingBusy } from '../../kit/passwords.ts';
import type { SignInGuard } from '../../kit/sign-in-guard.ts';
import { WctpCode } from '../../protocols/wctp/index.ts';
import type { WctpSender } from './options.ts';

export type SenderCheck = { ok: true; sender: WctpSender } | { ok: false; code: number; detail: string };

export type HashVerifier = (secret: string, hash: string) => Promise<boolean>;

export class WctpSenders {
  private readonly byId = new Map<string, WctpSender>();
  /** SHA-256 of each plain securityCode, by sender: hashed once here, not at every request. */
  private readonly codeDigests = new Map<WctpSender, Buffer>();
  /** `senderID\0sha256(code)` of hashed codes already verified. */
  private readonly verified = new Set<string>();

  constructor(
    senders: readonly WctpSender[],
    private readonly verifyHash: HashVerifier,
    private readonly guard?: SignInGuard,
  ) {
    for (const s of senders) {
      this.byId.set(s.senderID.toLowerCase(), s);
      if (s.securityCode !== undefined) this.codeDigests.set(s, sha256(s.securityCode));
    }
  }

  /**
   * Checks a sender and its secret. `transient` says which kind of request this is: a regular sender
   * may not use SubmitClientMessage, nor a transient client SubmitRequest (each is 401, invalid senderID).
   * `code` is WctpCode.InvalidSecurityCode for a wrong secret, or InvalidPollerCredentials for a poll.
   * `address` is the client's address, for the guard.
   */
  async check(
    senderID: string,
    secret: string | undefined,
    options: { transient?: boolean; badSecretCode?: number; address?: string } = {},
  ): Promise<SenderCheck> {
    const id = senderID.trim().toLowerCase();
    const admission = this.guard?.admit(id.slice(0, 128), options.address ?? 'unknown');
    if (admission && !admission.admitted)
      return {
        ok: false,
        code: WctpCode.TrafficRateExcessive,
        detail: lockedDetail(admission.retryAfterSeconds),
      };
    let result: SenderCheck;
    try {
      result = await this.checkSecret(id, secret, options);
    } catch (err) {
      admission?.attempt.abandoned();
      if (err instanceof PasswordHashingBusy)
        return {
          ok: false,
          code: WctpCode.ServiceUnavailable,
          detail: 'too many security codes are being checked; retry shortly',
        };
      throw err;
    }
    if (!admission) return result;
    if (result.ok) {
      admission.attempt.succeeded();
      return result;
    }
    const locks = await admission.attempt.failed();
    if (!locks.length) return result;
    const seconds = Math.max(
      ...locks.map((l) => Math.ceil((l.until.getTime() - l.lockedAt.getTime()) / 1000)),
    );
    return { ok: false, code: WctpCode.TrafficRateExcessive, detail: lockedDetail(seconds) };
  }

  private async checkSecret(
    id: string,
    secret: string | undefined,
    options: { transient?: boolean; badSecretCode?: number },
  ): Promise<SenderCheck> {
    const sender = this.byId.get(id);
    const badSecret = options.badSecretCode ?? WctpCode.InvalidSecurityCode;
    if (!sender || sender.transient !== (options.transient ?? false)) {
      const code =
        options.badSecretCode === WctpCode.InvalidPollerCredentials ? badSecret : WctpCode.InvalidSenderId;
      return { ok: false, code, detail: 'the sender is not known to this gateway' };
    }
    if (secret === undefined || secret === '')
      return { ok: false, code: badSecret, detail: 'no security code was given' };
    if (await this.matches(sender, secret)) return { ok: true, sender };
    return { ok: false, code: badSecret, detail: 'the security code does not match the sender' };
  }

  private async matches(sender: WctpSender, secret: string): Promise<boolean> {
    const digest = this.codeDigests.get(sender);
    if (digest) return timingSafeEqual(sha256(secret), digest);
    if (!sender.securityCodeHash) return false;
    const key = `${sender.senderID}\0${createHash('sha256').update(secret).digest('hex')}`;
    if (this.verified.has(key)) return true;
    if (!(await this.verifyHash(secret, sender.securityCodeHash))) return false;
    this.verified.add(key);
    return true;
  }
}

function lockedDetail(seconds: number): string {
  return `too many failed attempts for this sender or address; locked, retry in ${seconds} s`;
}

/** Digests of equal length, so that timingSafeEqual compares secrets of any length in constant time. */
function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
