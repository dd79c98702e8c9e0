/**
 * A real OpenID Connect provider (the `oidc-provider` package) on loopback for the identity tests, with
 * signing keys the test holds, so it can also sign the bad tokens a test needs (expired, for another
 * audience) with the provider's own key, or forge one with a key of its own.
 */

import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Provider from 'oidc-provider';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

export function signingKey(kid: string): SigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

/** A JWT signed RS256 with `key` (header kid as given). */
export function signJwt(payload: object, key: KeyObject, kid: string): string {
  const head = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), key).toString('base64url');
  return `${head}.${body}.${sig}`;
}

export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

export interface TestProvider {
  issuer: string;
  /** Signs with these keys from now on (the first one signs); the old provider's sessions are gone. */
  useKeys(keys: SigningKey[]): void;
  close(): Promise<void>;
}

/** Accounts: any login name works; `kim` gets upn kim@hospital.test and the role claim `nurses`. */
export async function startProvider(options: {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  keys: SigningKey[];
  roles?: (login: string) => string[];
}): Promise<TestProvider> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const build = (keys: SigningKey[]) => {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: options.clientId,
          client_secret: options.clientSecret,
          redirect_uris: [options.redirectUri],
          response_types: ['code'],
          grant_types: ['authorization_code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: keys.map((k) => k.jwk) },
      pkce: { required: () => true },
      conformIdTokenClaims: false,
      claims: { openid: ['sub'], profile: ['upn', 'preferred_username', 'roles'] },
      cookies: { keys: ['a-cookie-key-for-tests-only'] },
      async findAccount(_ctx: unknown, id: string) {
        return {
          accountId: id,
          async claims() {
            return {
              sub: id,
              upn: `${id}@hospital.test`,
              preferred_username: `${id}@hospital.test`,
              roles: options.roles?.(id) ?? ['nurses'],
            };
          },
        };
      },
    });
    // Quiet: the provider logs every refused request, and these tests send some on purpose.
    provider.on('server_error', () => {});
    handler = provider.callback();
  };
  build(options.keys);
  return {
    issuer,
    useKeys: build,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
