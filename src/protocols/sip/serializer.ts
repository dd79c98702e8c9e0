/** Serialises a message to bytes (RFC 3261 section 7), one header field per line, CRLF line ends. */
import { formatNameAddr } from './address.ts';
import type { SipMessage } from './message.ts';
import { formatUri } from './uri.ts';
import { formatVia } from './via.ts';

export function serializeMessage(msg: SipMessage): Buffer {
  const lines: string[] = [
    msg.kind === 'request'
      ? `${msg.method} ${formatUri(msg.uri)} SIP/2.0`
      : `SIP/2.0 ${msg.status} ${msg.reason}`,
  ];
  for (const via of msg.via) lines.push(`Via: ${formatVia(via)}`);
  if (msg.maxForwards !== undefined) lines.push(`Max-Forwards: ${msg.maxForwards}`);
  for (const r of msg.route) lines.push(`Route: ${formatNameAddr(r)}`);
  for (const r of msg.recordRoute) lines.push(`Record-Route: ${formatNameAddr(r)}`);
  lines.push(`From: ${formatNameAddr(msg.from)}`);
  lines.push(`To: ${formatNameAddr(msg.to)}`);
  lines.push(`Call-ID: ${msg.callId}`);
  lines.push(`CSeq: ${msg.cseq.seq} ${msg.cseq.method}`);
  if (msg.contactStar) lines.push('Contact: *');
  for (const c of msg.contact) lines.push(`Contact: ${formatNameAddr(c)}`);
  for (const h of msg.headers) {
    if (h.name.toLowerCase() !== 'content-length') lines.push(`${h.name}: ${h.value}`);
  }
  lines.push(`Content-Length: ${msg.body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return msg.body.length === 0 ? head : Buffer.concat([head, msg.body]);
}
