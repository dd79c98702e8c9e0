/**
 * Who may submit: each sending system's senderID with its securityCode (WCTP 1.3 wctp-Originator), or,
 * for a transient client, the password it puts in wctp-ClientOriginator@miscInfo. Secrets compare in
 * constant time; a hashed code is checked once per distinct code and then remembered by its SHA-256.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { WctpCode } from '../../protocols/wctp/index.ts';
import type { WctpSender } from './options.ts';

export type SenderCheck = { ok: true; sender: WctpSender } | { ok: false; code: number; detail: string };

export type HashVerifier = (secret: string, hash: string) => Promise<boolean>;

export class WctpSenders {
  private readonly byId = new Map<string, WctpSender>();
  /** `senderID\0sha256(code)` of hashed codes already verified. */
  private readonly verified = new Set<string>();

  constructor(
    senders: readonly WctpSender[],
    private readonly verifyHash: HashVerifier,
  ) {
    for (const s of senders) this.byId.set(s.senderID.toLowerCase(), s);
  }

  /**
   * Checks a sender and its secret. `transient` says which kind of request this is: a regular sender
   * may not use SubmitClientMessage, nor a transient client SubmitRequest (each is 401, invalid senderID).
   * `code` is WctpCode.InvalidSecurityCode for a wrong secret, or InvalidPollerCredentials for a poll.
   */
  async check(
    senderID: string,
    secret: string | undefined,
    options: { transient?: boolean; badSecretCode?: number } = {},
  ): Promise<SenderCheck> {
    const sender = this.byId.get(senderID.trim().toLowerCase());
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
    if (sender.securityCode !== undefined) return sameText(secret, sender.securityCode);
    if (!sender.securityCodeHash) return false;
    const key = `${sender.senderID}\0${createHash('sha256').update(secret).digest('hex')}`;
    if (this.verified.has(key)) return true;
    if (!(await this.verifyHash(secret, sender.securityCodeHash))) return false;
    this.verified.add(key);
    return true;
  }
}

function sameText(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}
