/**
 * The signature of an ID token, checked against the provider's published keys (its `jwks_uri`). Keys are
 * cached; a token naming a key id the cache does not hold makes one fresh fetch, which is how a rotated key is picked up the first time it is used. openid-client leaves this
 * check to TLS for tokens from the token endpoint; a hospital wants the token itself verified too.
 */
import { constants, createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';

/** At most one fetch a second, and one per unknown key id a minute: forged key ids cannot make a flood. */
const REFETCH_GAP_MS = 1_000;
const REFETCH_PER_KID_MS = 60_000;

const ALGORITHMS: Record<string, { hash: string; kty: string; options?: object }> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: {
    hash: 'sha256',
    kty: 'RSA',
    options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  },
  ES256: { hash: 'sha256', kty: 'EC', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { hash: 'sha384', kty: 'EC', options: { dsaEncoding: 'ieee-p1363' } },
};

type Jwk = JsonWebKey & { kid?: string; use?: string; alg?: string; kty?: string };

export class IdTokenKeys {
  private keys: Jwk[] = [];
  private fetchedAt = 0;
  private readonly askedFor = new Map<string, number>();

  constructor(private readonly fetchKeys: () => Promise<{ keys: Jwk[] }>) {}

  /** Resolves when the token's signature verifies with a published key; throws saying why not. */
  async verify(idToken: string): Promise<void> {
    const parts = idToken.split('.');
    if (parts.length !== 3) throw new Error('the ID token is not a signed JWT');
    const [head, body, sig] = parts as [string, string, string];
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as {
      alg?: string;
      kid?: string;
    };
    const alg = ALGORITHMS[header.alg ?? ''];
    if (!alg)
      throw new Error(`the ID token is signed with ${header.alg ?? 'nothing'}, which is not accepted`);
    let candidates = this.matching(header.kid, alg.kty);
    const kid = header.kid ?? '';
    const now = Date.now();
    if (
      !candidates.length &&
      now - this.fetchedAt >= REFETCH_GAP_MS &&
      now - (this.askedFor.get(kid) ?? 0) >= REFETCH_PER_KID_MS
    ) {
      if (this.askedFor.size > 1000) this.askedFor.clear();
      this.askedFor.set(kid, now);
      await this.refresh();
      candidates = this.matching(header.kid, alg.kty);
    }
    if (!candidates.length) throw new Error(`no published key of the provider has the id ${header.kid}`);
    const data = Buffer.from(`${head}.${body}`);
    const signature = Buffer.from(sig, 'base64url');
    for (const jwk of candidates) {
      const key: KeyObject = createPublicKey({ key: jwk, format: 'jwk' });
      if (verify(alg.hash, data, { key, ...alg.options } as Parameters<typeof verify>[2], signature)) return;
    }
    throw new Error("the ID token signature does not verify with the provider's published key");
  }

  private matching(kid: string | undefined, kty: string): Jwk[] {
    return this.keys.filter(
      (k) =>
        k.kty === kty && (k.use === undefined || k.use === 'sig') && (kid === undefined || k.kid === kid),
    );
  }

  private async refresh(): Promise<void> {
    this.fetchedAt = Date.now();
    this.keys = (await this.fetchKeys()).keys ?? [];
  }
}
