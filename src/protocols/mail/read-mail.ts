/**
 * Reads an Internet message (RFC 5322) far enough for email-to-pager. The MIME work is `mailparser`'s:
 * multipart bodies (RFC 2046), transfer encodings (RFC 2045: base64, quoted-printable), charsets, and
 * the text of an HTML-only mail. Header fields are listed as sent, unfolded, with their encoded words
 * (RFC 2047) decoded by `libmime`, the header codec mailparser itself uses, so that a sender's custom
 * fields (X-Priority, Importance) read the same as Subject does. Pure: bytes in, text out.
 */
import libmime from 'libmime';
import { simpleParser } from 'mailparser';

export interface MailMessage {
  /** Header fields in order, names lower-cased, values unfolded and decoded. */
  headers: Array<{ name: string; value: string }>;
  subject: string;
  /** The From field as written, decoded, e.g. 'Café Lab <lab@riverside.example>'. */
  from: string;
  messageId: string;
  /** Envelope recipients as the receiving server recorded them (Delivered-To, in order). */
  deliveredTo: string[];
  /** The readable text of the body: the text parts, else the HTML part without its markup. */
  text: string;
}

/** Reads a whole message; a body it cannot make sense of gives empty text, never an error. */
export async function readMail(raw: Buffer | string): Promise<MailMessage> {
  const mail = await simpleParser(raw, {
    // Only the plain text is used: no HTML rendering of the text, no link detection.
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
  });
  const headers = mail.headerLines
    .filter((h) => h.key !== '') // a line in the header block that is not a field
    .map((h) => ({ name: h.key, value: headerValue(h.line) }));
  const get = (name: string) => headers.find((h) => h.name === name)?.value ?? '';
  return {
    headers,
    subject: mail.subject ?? '',
    from: get('from'),
    messageId: get('message-id').replace(/^<|>$/g, ''),
    deliveredTo: headers.filter((h) => h.name === 'delivered-to').map((h) => h.value),
    text: (mail.text ?? '').trim(),
  };
}

/** A raw header line ('Name: value', perhaps folded) to its unfolded, decoded value. */
function headerValue(line: string): string {
  // Header bytes outside ASCII are taken as UTF-8 (RFC 6532), as mailparser takes them.
  const value = Buffer.from(String(libmime.decodeHeader(line).value ?? '').trim(), 'binary').toString();
  try {
    return libmime.decodeWords(value).trim();
  } catch {
    return value;
  }
}
