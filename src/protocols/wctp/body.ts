import { WctpError } from './wctp-error.ts';

/**
 * Turns an HTTP request body into the WCTP XML text it carries.
 *
 * - `text/xml` (the spec's content type), `application/xml`, or no content type: the body is the
 *   XML. Bytes are decoded with the charset parameter, else the byte-order mark, else the XML
 *   declaration's `encoding`, else UTF-8.
 * - `application/x-www-form-urlencoded`: some senders put the XML in a form field (the field name
 *   varies: `xml`, `wctp`, `data`...). We take the field whose value is an XML document. A body sent
 *   with that content type that already starts with `<` is raw XML (`curl -d @file` does this).
 *
 * Throws only WctpError 301 (input cannot be parsed) when no XML can be found.
 */
export function decodeBody(body: Buffer | Uint8Array | string, contentType?: string): string {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const charset = charsetParameter(contentType);
  const bytes = typeof body === 'string' ? undefined : body;
  const text = bytes === undefined ? (body as string) : decodeBytes(bytes, charset);
  const start = text.replace(/^\uFEFF/, '').trimStart();

  if (start.startsWith('<')) return start;
  const looksLikeForm = mediaType === 'application/x-www-form-urlencoded' || /^[\w.\-[\]%]+=/.test(start);
  if (looksLikeForm) {
    const fromForm = xmlFromForm(bytes ?? new TextEncoder().encode(start), charset);
    if (fromForm !== undefined) return fromForm;
  }
  if (start.length === 0) throw new WctpError(301, 'the request body is empty');
  throw new WctpError(301, 'the request body is neither XML nor a form field holding XML');
}

function charsetParameter(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

function decodeBytes(bytes: Uint8Array, charset: string | undefined): string {
  // A byte-order mark outranks everything else (XML 1.0, appendix F).
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return decodeWith('utf-8', bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeWith('utf-16le', bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeWith('utf-16be', bytes.subarray(2));
  return decodeWith(charset ?? declaredEncoding(bytes) ?? 'utf-8', bytes);
}

/**
 * The `encoding` of an XML declaration at the start of ASCII-compatible bytes. A declaration we can
 * read as ASCII cannot be in UTF-16 or UTF-32, whatever it says: .NET clients serialise a string
 * (declared "utf-16") and send it as UTF-8. Real UTF-16 carries a byte-order mark (XML 1.0, 4.3.3).
 */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const match = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  const label = match?.[1]?.toLowerCase();
  if (label === undefined || /^(utf-?16|utf-?32|ucs-?2|ucs-?4)/.test(label)) return undefined;
  return label;
}

function decodeWith(label: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    // An unknown charset label: UTF-8 is what nearly every WCTP sender really uses.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** The XML held by one field of a urlencoded form, preferring a field holding a wctp-Operation. */
function xmlFromForm(bytes: Uint8Array, charset: string | undefined): string | undefined {
  const raw = new TextDecoder('latin1').decode(bytes); // percent-escapes are ASCII; keep bytes 1:1
  const candidates: string[] = [];
  for (const pair of raw.split('&')) {
    const eq = pair.indexOf('=');
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    const decoded = percentDecode(value, charset)
      .replace(/^\uFEFF/, '')
      .trimStart();
    if (decoded.startsWith('<')) candidates.push(decoded);
  }
  return candidates.find((value) => /<\s*wctp-operation\b/i.test(value)) ?? candidates[0];
}

/** application/x-www-form-urlencoded decoding (WHATWG URL, "urlencoded parser"): '+' is a space. */
function percentDecode(value: string, charset: string | undefined): string {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x2b) {
      out.push(0x20);
    } else if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(c & 0xff);
    }
  }
  return decodeWith(charset ?? 'utf-8', Uint8Array.from(out));
}
