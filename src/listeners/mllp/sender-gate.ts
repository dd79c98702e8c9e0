import { BlockList, isIP } from 'node:net';

/**
 * One entry of `listeners.mllp.allowedSenders`. Every field given must match (an address and a certificate
 * together mean "this interface, from this host"); a connection is allowed when any entry matches.
 */
export interface AllowedSender {
  /** A label for logs and health ("Lab LIS"). */
  name?: string;
  /** An address (10.20.1.15) or a network (10.20.0.0/16), IPv4 or IPv6. */
  address?: string;
  /** Subject CN of a TLS client certificate signed by the configured CA (`tls.caFile`). */
  certificateSubject?: string;
  /** SHA-256 fingerprint of a TLS client certificate (pinned: it need not be signed by the CA). */
  certificateFingerprint?: string;
}

export interface SenderGateOptions {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** The last of `maxConnections` kept for known senders. */
  reservedConnections: number;
  allowedSenders: AllowedSender[];
}

/** The client certificate as a TLS socket shows it, after the handshake. */
export interface PeerCertificate {
  /** True when the certificate chains to the configured CA. */
  authorized: boolean;
  subjectCN?: string;
  fingerprint256?: string;
}

export type RefusalReason = 'notAllowed' | 'perAddress' | 'full' | 'reserved';

export type Verdict = { admit: true; needsCertificate: boolean } | { admit: false; reason: RefusalReason };

interface Entry {
  addresses?: BlockList;
  subject?: string;
  fingerprint?: string;
}

/**
 * Decides who may hold one of the listener's connections, so that idle or hostile connections cannot
 * lock a real sender out: a cap per source address, an optional allow-list by address or client
 * certificate, and the last `reservedConnections` slots kept for known senders (allow-listed, or seen to
 * send a valid message since the listener started). Counts only what it admitted; `release` each one.
 *
 * With TLS, the address is judged when the TCP connection arrives and the certificate after the
 * handshake (`certificate`).
 */
export class SenderGate {
  private readonly entries: Entry[];
  private readonly perAddress = new Map<string, number>();
  private readonly learned = new Set<string>();
  private open = 0;
  readonly refused: Record<RefusalReason, number> = { notAllowed: 0, perAddress: 0, full: 0, reserved: 0 };

  constructor(
    private readonly options: SenderGateOptions,
    known: Iterable<string> = [],
  ) {
    if (options.reservedConnections >= options.maxConnections)
      throw new Error('listeners.mllp.reservedConnections must be less than maxConnections');
    this.entries = options.allowedSenders.map(toEntry);
    for (const address of known) this.learned.add(normalizeAddress(address));
  }

  /** A new TCP connection from `address`: admitted (and counted) or refused. */
  arrive(address: string | undefined, tls: boolean): Verdict {
    const ip = normalizeAddress(address ?? '');
    const allowed = this.allowedByAddress(ip, tls);
    if (allowed === 'no') return this.refuse('notAllowed');
    // An address the site allow-listed is its own interface engine, which may hold one connection per
    // interface (dozens from one host): the cap is for addresses nobody vouched for.
    const vouched = this.entries.length > 0 && allowed === 'yes';
    if (!vouched && (this.perAddress.get(ip) ?? 0) >= this.options.maxConnectionsPerAddress)
      return this.refuse('perAddress');
    if (this.open >= this.options.maxConnections) return this.refuse('full');
    // A certificate is seen only after the handshake, which an idle connection can stretch out: a sender
    // known only by its certificate counts as known for the reserve once it has sent a message.
    const known = vouched || this.learned.has(ip);
    if (!known && this.open >= this.options.maxConnections - this.options.reservedConnections)
      return this.refuse('reserved');
    this.open += 1;
    this.perAddress.set(ip, (this.perAddress.get(ip) ?? 0) + 1);
    return { admit: true, needsCertificate: allowed === 'certificate' };
  }

  /** Whether a TLS connection from `address` is let in only by its client certificate. */
  needsCertificate(address: string | undefined): boolean {
    return this.allowedByAddress(normalizeAddress(address ?? ''), true) === 'certificate';
  }

  /**
   * The TLS handshake of a connection admitted with `needsCertificate` finished: whether it may stay.
   * Refusing here does not release its slot; the caller closes the socket and releases it as any other.
   */
  certificate(address: string | undefined, cert: PeerCertificate): Verdict {
    const ip = normalizeAddress(address ?? '');
    if (this.entries.some((e) => addressMatches(e, ip) && certificateMatches(e, cert)))
      return { admit: true, needsCertificate: false };
    return this.refuse('notAllowed');
  }

  /** An admitted connection closed. */
  release(address: string | undefined): void {
    const ip = normalizeAddress(address ?? '');
    this.open = Math.max(0, this.open - 1);
    const n = (this.perAddress.get(ip) ?? 1) - 1;
    if (n > 0) this.perAddress.set(ip, n);
    else this.perAddress.delete(ip);
  }

  /** `address` sent a message that was stored: from now on it is a known sender. */
  learn(address: string | undefined): boolean {
    const ip = normalizeAddress(address ?? '');
    if (this.learned.has(ip)) return false;
    this.learned.add(ip);
    return true;
  }

  get connections(): number {
    return this.open;
  }

  /**
   * 'yes' when there is no allow-list or an entry without certificate fields matches the address;
   * 'certificate' when only an entry that also needs a certificate can match; 'no' otherwise.
   */
  private allowedByAddress(ip: string, tls: boolean): 'yes' | 'certificate' | 'no' {
    if (this.entries.length === 0) return 'yes';
    let verdict: 'certificate' | 'no' = 'no';
    for (const e of this.entries) {
      if (!addressMatches(e, ip)) continue;
      const needsCertificate = e.subject !== undefined || e.fingerprint !== undefined;
      if (!needsCertificate) return 'yes';
      if (tls) verdict = 'certificate';
    }
    return verdict;
  }

  private refuse(reason: RefusalReason): Verdict {
    this.refused[reason] += 1;
    return { admit: false, reason };
  }
}

/** `::ffff:10.1.2.3` (an IPv4 peer on a dual-stack socket) is 10.1.2.3. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (mapped ? mapped[1] : address).toLowerCase();
}

/** A fingerprint as openssl or Node print it, in one spelling: upper-case hex without colons. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').toUpperCase();
}

function addressMatches(entry: Entry, ip: string): boolean {
  if (!entry.addresses) return true;
  const family = isIP(ip);
  if (family === 0) return false;
  return entry.addresses.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

function certificateMatches(entry: Entry, cert: PeerCertificate): boolean {
  if (entry.subject === undefined && entry.fingerprint === undefined) return true;
  // A subject name means something only on a certificate the CA vouches for; a pinned fingerprint
  // stands on its own (the handshake proved the sender holds its key).
  if (entry.subject !== undefined && !(cert.authorized && cert.subjectCN === entry.subject)) return false;
  if (
    entry.fingerprint !== undefined &&
    normalizeFingerprint(cert.fingerprint256 ?? '') !== entry.fingerprint
  )
    return false;
  return true;
}

function toEntry(sender: AllowedSender, index: number): Entry {
  const entry: Entry = {};
  const label = sender.name ?? `allowedSenders[${index}]`;
  if (sender.address !== undefined) {
    const [base, bits, extra] = sender.address.split('/');
    const ip = normalizeAddress(base);
    const family = isIP(ip);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (family === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0)
      throw new Error(`${label}: ${sender.address} is not an address or a network such as 10.20.0.0/16`);
    if (prefix > (family === 6 ? 128 : 32))
      throw new Error(`${label}: ${sender.address} has a prefix longer than the address`);
    entry.addresses = new BlockList();
    entry.addresses.addSubnet(ip, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  if (sender.certificateSubject !== undefined) entry.subject = sender.certificateSubject;
  if (sender.certificateFingerprint !== undefined) {
    entry.fingerprint = normalizeFingerprint(sender.certificateFingerprint);
    if (!/^[0-9A-F]{64}$/.test(entry.fingerprint))
      throw new Error(`${label}: certificateFingerprint must be a SHA-256 fingerprint (64 hex digits)`);
  }
  if (!entry.addresses && entry.subject === undefined && entry.fingerprint === undefined)
    throw new Error(`${label}: needs an address, a certificateSubject or a certificateFingerprint`);
  return entry;
}
