/**
 * Reads an Internet message (RFC 5322) far enough for email-to-pager: header fields (unfolded, RFC 5322
 * §2.2.3), encoded words in Subject and From (RFC 2047), the text of the body with its transfer encoding
 * undone (RFC 2045 §6: base64, quoted-printable) and, for a multipart body (RFC 2046 §5.1), the first
 * text/plain part, else the first text/html part with its tags dropped. Pure: bytes in, text out.
 */

export interface MailMessage {
  /** Header fields in order, names lower-cased, values unfolded and decoded. */
  headers: Array<{ name: string; value: string }>;
  subject: string;
  from: string;
  messageId: string;
  /** Envelope recipients as the receiving server recorded them (Delivered-To, in order). */
  deliveredTo: string[];
  /** The readable text of the body. */
  text: string;
}

export function readMail(raw: Buffer | string): MailMessage {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const { headers, body } = splitHeader(text);
  const get = (name: string) => headers.find((h) => h.name === name)?.value ?? '';
  return {
    headers,
    subject: get('subject'),
    from: get('from'),
    messageId: get('message-id').replace(/^<|>$/g, ''),
    deliveredTo: headers.filter((h) => h.name === 'delivered-to').map((h) => h.value.trim()),
    text: bodyText(headers, body).trim(),
  };
}

/** The header block (up to the first empty line) and the body after it. */
function splitHeader(text: string): { headers: MailMessage['headers']; body: string } {
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end).replace(/^\r?\n\r?\n/, '');
  const headers: MailMessage['headers'] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length) {
      headers[headers.length - 1].value += ` ${line.trim()}`; // folded continuation
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  for (const h of headers) h.value = decodeWords(h.value);
  return { headers, body };
}

/** RFC 2047 encoded words: =?charset?B?...?= and =?charset?Q?...?=; whitespace between two is dropped. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, charset: string, enc: string, data: string) => {
      const bytes =
        enc.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64')
          : Buffer.from(
              data
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) =>
                  String.fromCharCode(Number.parseInt(h, 16)),
                ),
              'latin1',
            );
      return decodeCharset(bytes, charset);
    });
}

function decodeCharset(bytes: Buffer, charset: string): string {
  const cs = charset.toLowerCase().replace(/\*.*$/, '');
  if (cs === 'utf-8' || cs === 'utf8') return bytes.toString('utf8');
  if (cs === 'us-ascii' || cs === 'iso-8859-1' || cs === 'latin1') return bytes.toString('latin1');
  try {
    return new TextDecoder(cs).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function param(value: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

function bodyText(headers: MailMessage['headers'], body: string, depth = 0): string {
  const get = (name: string) => headers.find((h) => h.name === name)?.value ?? '';
  const type = get('content-type') || 'text/plain';
  const mediaType = type.split(';')[0].trim().toLowerCase();
  if (mediaType.startsWith('multipart/') && depth < 5) {
    const boundary = param(type, 'boundary');
    if (!boundary) return '';
    const parts = body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => splitHeader(p.replace(/^\r?\n/, '')));
    const typeOf = (p: { headers: MailMessage['headers'] }) =>
      (p.headers.find((h) => h.name === 'content-type')?.value ?? 'text/plain')
        .split(';')[0]
        .trim()
        .toLowerCase();
    const chosen =
      parts.find((p) => typeOf(p) === 'text/plain') ??
      parts.find((p) => typeOf(p).startsWith('multipart/')) ??
      parts.find((p) => typeOf(p) === 'text/html');
    return chosen ? bodyText(chosen.headers, chosen.body, depth + 1) : '';
  }
  if (!mediaType.startsWith('text/')) return '';
  const bytes = undoTransferEncoding(get('content-transfer-encoding'), body);
  const decoded = decodeCharset(bytes, param(type, 'charset') ?? 'us-ascii');
  return mediaType === 'text/html' ? htmlToText(decoded) : decoded.replace(/\r\n/g, '\n');
}

function undoTransferEncoding(encoding: string, body: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64');
    case 'quoted-printable':
      return Buffer.from(
        body
          .replace(/=\r?\n/g, '') // soft line breaks
          .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
        'latin1',
      );
    default:
      return Buffer.from(body, 'latin1');
  }
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n');
}
