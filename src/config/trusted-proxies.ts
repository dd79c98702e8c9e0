import { isIP } from 'node:net';

/** The names proxy-addr (fastify's trustProxy) knows for whole ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Why an entry of `http.trustedProxies` cannot be used, or undefined: an address, an address/prefix
 * (10.0.0.0/8, fd00::/8) or an address/netmask (10.0.0.0/255.0.0.0), or a range name. Checked at load so a
 * typo stops the start with the key named, not deep inside the HTTP server's start.
 */
export function trustedProxyProblem(entry: string): string | undefined {
  if (RANGE_NAMES.has(entry)) return undefined;
  const [address, mask, extra] = entry.split('/');
  const family = isIP(address);
  const usage =
    'an address, address/prefix (10.0.0.0/8), address/netmask, loopback, linklocal or uniquelocal';
  if (family === 0 || extra !== undefined) return `"${entry}" is not ${usage}`;
  if (mask === undefined) return undefined;
  if (/^\d+$/.test(mask)) {
    const bits = Number(mask);
    return bits <= (family === 4 ? 32 : 128)
      ? undefined
      : `"${entry}": a prefix of at most ${family === 4 ? 32 : 128} bits`;
  }
  return family === 4 && isIP(mask) === 4 ? undefined : `"${entry}" is not ${usage}`;
}
