import type { InboundMessage } from '../port.ts';

/**
 * The payload of an inbound journal record: u32 length of the metadata, the metadata as JSON (every
 * InboundMessage field but the bytes, by name, the time in epoch milliseconds), then the raw bytes exactly
 * as received.
 */
export function encodeInbound(m: InboundMessage): Buffer {
  const { raw, receivedAt, ...fields } = m;
  const meta = Buffer.from(JSON.stringify({ ...fields, receivedAt: receivedAt.getTime() }));
  // Its own memory, not a slice of Node's shared pool: it can be handed to another thread without a copy.
  const payload = Buffer.allocUnsafeSlow(4 + meta.length + raw.length);
  payload.writeUInt32LE(meta.length, 0);
  meta.copy(payload, 4);
  raw.copy(payload, 4 + meta.length);
  return payload;
}

export function decodeInbound(payload: Buffer): InboundMessage {
  const metaLength = payload.readUInt32LE(0);
  const { receivedAt, ...fields } = JSON.parse(payload.subarray(4, 4 + metaLength).toString('utf8')) as Omit<
    InboundMessage,
    'raw' | 'receivedAt'
  > & { receivedAt: number };
  return { ...fields, receivedAt: new Date(receivedAt), raw: Buffer.from(payload.subarray(4 + metaLength)) };
}
