import type { InboundEvent } from './inbound-port.ts';

/**
 * What a message must wait its turn behind: the patient an HL7 message is about (PID-3.1), read cheaply
 * from the first 4 KB without parsing, so that an ADT transfer is in the census before the result that
 * follows it and two results for one patient dedup in order.
 */
export function orderingKey(event: InboundEvent): string {
  const text = event.raw.toString('latin1', 0, Math.min(event.raw.length, 4096));
  const at = text.search(/[\r\n]PID./);
  // Not HL7 (WCTP, mail, SIP MESSAGE): each is about its own recipient, nothing to keep in order.
  if (at < 0) return `${event.listener}#${event.messageId}`;
  const sep = text[at + 4];
  const pid3 =
    text
      .slice(at + 1)
      .split(/[\r\n]/)[0]
      .split(sep)[3] ?? '';
  const component = text[4] ?? '^';
  return `${event.listener}:${pid3.split(component)[0]}`;
}
