import type { DtdSupport } from './types.ts';
import { WctpError } from './wctp-error.ts';

/** The four published WCTP releases. */
export type WctpVersion = '1.0' | '1.1' | '1.2' | '1.3';

export const WCTP_VERSIONS: readonly WctpVersion[] = ['1.0', '1.1', '1.2', '1.3'];

/** The DTD name each release publishes; the same string is the canonical `wctpVersion` value. */
export const WCTP_DTD_NAMES: Readonly<Record<WctpVersion, string>> = {
  '1.0': 'wctpv1-0',
  '1.1': 'wctp-dtd-v1r1',
  '1.2': 'wctp-dtd-v1r2',
  '1.3': 'wctp-dtd-v1r3',
};

/** What we write: every answer is a WCTP 1.3 document, which 1.1 and 1.2 clients read too. */
export const WCTP_OUTPUT_VERSION = 'wctp-dtd-v1r3';
export const WCTP_OUTPUT_DOCTYPE = '<!DOCTYPE wctp-Operation SYSTEM "http://dtd.wctp.org/wctp-dtd-v1r3.dtd">';

/**
 * What Switchboard answers to wctp-VersionQuery: it reads all four releases and always answers in
 * 1.3. WCTP 1.0 is marked Deprecated with exceptions: its wctp-BindDomainAlias is refused (300) and a
 * strict 1.0 client may not read 1.3 answers.
 */
export const WCTP_DTD_SUPPORT: readonly DtdSupport[] = Object.freeze([
  { dtdName: 'wctp-dtd-v1r3', verToken: 'wctp-dtd-v1r3', supportType: 'Supported', exceptions: false },
  { dtdName: 'wctp-dtd-v1r2', verToken: 'wctp-dtd-v1r2', supportType: 'Supported', exceptions: false },
  { dtdName: 'wctp-dtd-v1r1', verToken: 'wctp-dtd-v1r1', supportType: 'Supported', exceptions: false },
  { dtdName: 'wctpv1-0', verToken: 'wctpv1-0', supportType: 'Deprecated', exceptions: true },
]);

// Spellings met in the wild: "wctp-dtd-v1r3", "WCTP-DTD-V1R3", "1.3", "wctp-dtd-v1r1.dtd",
// "wctpv1-0", "1.0", "v1r2", and the DTD's URL. We reduce each to major/minor digits.
const PATTERNS: readonly RegExp[] = [
  /^(?:.*\/)?wctp-?dtd-?v(\d)r(\d)(?:\.dtd)?$/, // wctp-dtd-v1r3, wctpdtdv1r3, http://dtd.wctp.org/wctp-dtd-v1r3.dtd
  /^(?:.*\/)?wctp-?v(\d)[-.r](\d)(?:\.dtd)?$/, // wctpv1-0, wctpv1-0.dtd, wctp-v1r3
  /^v?(\d)(?:\.|r)(\d)(?:\.\d+)?$/, // 1.3, 1.0, v1r2, 1.3.1 (an update of 1.3)
];

/** The release a `wctpVersion` spelling names, or undefined when it names none we know. */
export function tryNormaliseVersion(spelling: string): WctpVersion | undefined {
  const s = spelling.trim().toLowerCase();
  for (const pattern of PATTERNS) {
    const match = pattern.exec(s);
    if (!match) continue;
    const candidate = `${match[1]}.${match[2]}`;
    return (WCTP_VERSIONS as readonly string[]).includes(candidate) ? (candidate as WctpVersion) : undefined;
  }
  return undefined;
}

/**
 * The release a `wctpVersion` spelling names. Throws WctpError 303 (version error) for anything
 * else: the spec reserves 303 for "wctpVersion not supported".
 */
export function normaliseVersion(spelling: string): WctpVersion {
  const version = tryNormaliseVersion(spelling);
  if (version === undefined) {
    throw new WctpError(303, `wctpVersion is not a WCTP release this gateway supports (1.0 to 1.3)`);
  }
  return version;
}
