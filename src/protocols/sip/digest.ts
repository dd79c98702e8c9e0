/**
 * HTTP Digest authentication for SIP (RFC 3261 section 22, RFC 2617, RFC 7616 with SHA-256,
 * RFC 8760 for its use in SIP). qop=auth only (auth-int is rarely implemented by phones).
 *
 * Server side: `DigestServer` issues stateless nonces (a timestamp signed with HMAC, so that any
 * instance can verify them until they expire) and verifies credentials, rejecting replays of a
 * nonce-count. Client side: `DigestClient` answers 401/407 challenges, counting nc per nonce.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { getHeaderValues, type SipRequest, type SipResponse } from './message.ts';
import { quote, Scanner, TOKEN } from './scanner.ts';
import type { Clock } from './timers.ts';
import { formatUri, parseUri } from './uri.ts';

export type DigestAlgorithm = 'MD5' | 'SHA-256';

const HASH: Record<DigestAlgorithm, string> = { MD5: 'md5', 'SHA-256': 'sha256' };
const hash = (algorithm: DigestAlgorithm, text: string) =>
  createHash(HASH[algorithm]).update(text, 'utf8').digest('hex');

/** Parses `Digest k=v, k="v"...` (RFC 7616 section 3.3 / RFC 3261 section 25.1 digest-cln). */
export function parseDigestParams(value: string): Map<string, string> | undefined {
  const sc = new Scanner(value);
  sc.skipSpace();
  const scheme = sc.take(TOKEN);
  if (scheme.toLowerCase() !== 'digest') return undefined;
  const params = new Map<string, string>();
  try {
    do {
      sc.skipSpace();
      const name = sc.token('Digest parameter').toLowerCase();
      sc.expect('=', 'Digest parameter');
      const v = sc.peek() === '"' ? sc.quoted('Digest parameter') : sc.token('Digest parameter');
      params.set(name, v);
    } while (sc.accept(','));
    sc.skipSpace();
    return sc.done ? params : undefined;
  } catch {
    return undefined;
  }
}

function computeResponse(
  algorithm: DigestAlgorithm,
  p: { username: string; realm: string; password: string; method: string; uri: string; nonce: string },
  qop?: { nc: string; cnonce: string },
): string {
  const ha1 = hash(algorithm, `${p.username}:${p.realm}:${p.password}`);
  const ha2 = hash(algorithm, `${p.method}:${p.uri}`);
  return qop
    ? hash(algorithm, `${ha1}:${p.nonce}:${qop.nc}:${qop.cnonce}:auth:${ha2}`)
    : hash(algorithm, `${ha1}:${p.nonce}:${ha2}`);
}

export interface DigestServerOptions {
  realm: string;
  clock: Clock;
  /** Algorithms offered, one challenge each, strongest first (RFC 8760 section 2.4). @defaultValue ['SHA-256', 'MD5'] */
  algorithms?: DigestAlgorithm[];
  /** How long a nonce is accepted. @defaultValue 300000 (5 minutes) */
  nonceLifetimeMs?: number;
  /** HMAC key for nonces; share it between instances. @defaultValue random per process */
  secret?: Buffer;
  /** Proxy-Authenticate/407 instead of WWW-Authenticate/401. @defaultValue false */
  proxy?: boolean;
}

export type DigestVerdict =
  | { ok: true; username: string }
  | { ok: false; why: 'missing' | 'stale' | 'wrong' | 'replayed' | 'unknown-user' | 'malformed' };

export class DigestServer {
  private readonly secret: Buffer;
  private readonly algorithms: DigestAlgorithm[];
  private readonly lifetime: number;
  // Highest nc seen per nonce, pruned when nonces expire (bounded by the nonce lifetime).
  private readonly lastNc = new Map<string, { nc: number; issued: number }>();

  constructor(private readonly options: DigestServerOptions) {
    this.secret = options.secret ?? randomBytes(32);
    this.algorithms = options.algorithms ?? ['SHA-256', 'MD5'];
    this.lifetime = options.nonceLifetimeMs ?? 300_000;
  }

  /** 401 (or 407) and the header fields that carry the challenge. */
  challenge(stale = false): { status: 401 | 407; headers: { name: string; value: string }[] } {
    const nonce = this.newNonce();
    const name = this.options.proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    const headers = this.algorithms.map((algorithm) => ({
      name,
      value:
        `Digest realm=${quote(this.options.realm)}, nonce=${quote(nonce)}, algorithm=${algorithm}, qop="auth"` +
        (stale ? ', stale=true' : ''),
    }));
    return { status: this.options.proxy ? 407 : 401, headers };
  }

  /** Checks the request's credentials for our realm; `password` looks a user up (undefined: unknown user). */
  verify(request: SipRequest, password: (username: string) => string | undefined): DigestVerdict {
    const field = this.options.proxy ? 'Proxy-Authorization' : 'Authorization';
    const credentials = getHeaderValues(request, field)
      .map((v) => parseDigestParams(v))
      .find((p) => p?.get('realm') === this.options.realm);
    if (!credentials) return { ok: false, why: 'missing' };
    const username = credentials.get('username');
    const nonce = credentials.get('nonce');
    const uri = credentials.get('uri');
    const response = credentials.get('response');
    const algorithm = (credentials.get('algorithm') ?? 'MD5').toUpperCase() as DigestAlgorithm;
    if (!username || !nonce || !uri || !response || !this.algorithms.includes(algorithm)) {
      return { ok: false, why: 'malformed' };
    }
    const issued = this.nonceIssuedAt(nonce);
    if (issued === undefined) return { ok: false, why: 'wrong' };
    if (this.options.clock() - issued > this.lifetime) return { ok: false, why: 'stale' };
    const secret = password(username);
    if (secret === undefined) return { ok: false, why: 'unknown-user' };
    const qop = credentials.get('qop');
    const nc = credentials.get('nc');
    const cnonce = credentials.get('cnonce');
    if (qop !== undefined && (qop !== 'auth' || !nc || !/^[0-9a-fA-F]{8}$/.test(nc) || !cnonce)) {
      return { ok: false, why: 'malformed' };
    }
    const expected = computeResponse(
      algorithm,
      { username, realm: this.options.realm, password: secret, method: request.method, uri, nonce },
      qop ? { nc: nc!, cnonce: cnonce! } : undefined,
    );
    const given = Buffer.from(response.toLowerCase());
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
      return { ok: false, why: 'wrong' };
    }
    // The digest-uri must name the request's target (RFC 2617 section 3.2.2.5). Some user agents (SIPp
    // among them) leave the user part out of it: the same host and port is accepted, the hash having
    // been computed over the uri they sent.
    if (!sameTarget(uri, request)) return { ok: false, why: 'wrong' };
    if (qop) {
      const count = Number.parseInt(nc!, 16);
      const seen = this.lastNc.get(nonce);
      if (seen && count <= seen.nc) return { ok: false, why: 'replayed' };
      this.lastNc.set(nonce, { nc: count, issued });
      this.prune();
    }
    return { ok: true, username };
  }

  private newNonce(): string {
    const issued = Buffer.alloc(8);
    issued.writeBigUInt64BE(BigInt(Math.floor(this.options.clock())));
    const body = Buffer.concat([issued, randomBytes(8)]);
    const mac = createHmac('sha256', this.secret)
      .update(body)
      .update(this.options.realm)
      .digest()
      .subarray(0, 16);
    return Buffer.concat([body, mac]).toString('base64url');
  }

  private nonceIssuedAt(nonce: string): number | undefined {
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== 32) return undefined;
    const mac = createHmac('sha256', this.secret)
      .update(raw.subarray(0, 16))
      .update(this.options.realm)
      .digest();
    if (!timingSafeEqual(mac.subarray(0, 16), raw.subarray(16))) return undefined;
    return Number(raw.readBigUInt64BE(0));
  }

  private prune(): void {
    const now = this.options.clock();
    for (const [nonce, entry] of this.lastNc)
      if (now - entry.issued > this.lifetime) this.lastNc.delete(nonce);
  }
}

function sameTarget(digestUri: string, request: SipRequest): boolean {
  if (digestUri === formatUri(request.uri)) return true;
  const target = request.uri;
  if (target.kind !== 'sip') return false;
  try {
    const given = parseUri(digestUri);
    return (
      given.kind === 'sip' &&
      given.user === undefined &&
      given.host.toLowerCase() === target.host.toLowerCase() &&
      (given.port ?? 5060) === (target.port ?? 5060)
    );
  } catch {
    return false;
  }
}

export interface DigestCredentials {
  username: string;
  password: string;
}

/** Answers challenges for one user agent, keeping the nonce-count per nonce (RFC 7616 section 3.4). */
export class DigestClient {
  private readonly counts = new Map<string, number>();

  constructor(private readonly credentials: DigestCredentials) {}

  /**
   * Adds Authorization (for 401) or Proxy-Authorization (for 407) to `request`, answering the
   * strongest challenge of `challengeResponse` we support. Returns false when there is none.
   * The caller then sends `request` with a new CSeq and branch (RFC 3261 section 22.2).
   */
  authorize(request: SipRequest, challengeResponse: SipResponse): boolean {
    const proxy = challengeResponse.status === 407;
    const challenges = getHeaderValues(challengeResponse, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate')
      .map((v) => parseDigestParams(v))
      .filter((p): p is Map<string, string> => p !== undefined);
    const pick = (alg: DigestAlgorithm) =>
      challenges.find(
        (c) => (c.get('algorithm') ?? 'MD5').toUpperCase() === alg && c.has('realm') && c.has('nonce'),
      );
    const challenge = pick('SHA-256') ?? pick('MD5');
    if (!challenge) return false;
    const algorithm = (challenge.get('algorithm') ?? 'MD5').toUpperCase() as DigestAlgorithm;
    const realm = challenge.get('realm')!;
    const nonce = challenge.get('nonce')!;
    const uri = formatUri(request.uri);
    const qops = (challenge.get('qop') ?? '').split(',').map((q) => q.trim());
    const useQop = qops.includes('auth');
    const nc = (this.counts.get(nonce) ?? 0) + 1;
    this.counts.set(nonce, nc);
    const ncText = nc.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const { username, password } = this.credentials;
    const response = computeResponse(
      algorithm,
      { username, realm, password, method: request.method, uri, nonce },
      useQop ? { nc: ncText, cnonce } : undefined,
    );
    let value =
      `Digest username=${quote(username)}, realm=${quote(realm)}, nonce=${quote(nonce)}, uri=${quote(uri)}, ` +
      `response="${response}", algorithm=${algorithm}`;
    if (useQop) value += `, qop=auth, nc=${ncText}, cnonce="${cnonce}"`;
    const opaque = challenge.get('opaque');
    if (opaque !== undefined) value += `, opaque=${quote(opaque)}`;
    const field = proxy ? 'Proxy-Authorization' : 'Authorization';
    request.headers = request.headers.filter((h) => h.name !== field);
    request.headers.push({ name: field, value });
    return true;
  }
}
