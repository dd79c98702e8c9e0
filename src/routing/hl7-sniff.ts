import { type Hl7Limits, Hl7Message } from '../protocols/hl7/index.ts';
import type { InboundEvent } from './inbound-port.ts';

/**
 * The HL7 message in a stored payload, read lazily within `routing.limits`; undefined for other listeners'
 * payloads (WCTP XML, mail, SIP MESSAGE). Anything from MLLP is HL7; from elsewhere, a payload is HL7 when
 * it starts with MSH (after a byte order mark, as files and mail bodies sometimes carry one).
 */
export function readHl7(event: InboundEvent, limits: Hl7Limits): Hl7Message | undefined {
  const hl7 =
    event.listener === 'mllp' ||
    event.raw
      .subarray(0, 6)
      .toString('latin1')
      .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
      .startsWith('MSH');
  return hl7 ? Hl7Message.parse(event.raw, { limits }) : undefined;
}
