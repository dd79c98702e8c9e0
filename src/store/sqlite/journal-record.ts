import type { InboundMessage } from '../port.ts';

/**
 * A journal record for an inbound message: u32 length of the metadata, the metadata as JSON (the row id
 * and every InboundMessage field but the bytes), then the raw bytes exactly as received.
 */
export function encodeJournalRecord(id: number, m: InboundMessage): Buffer {
  const meta = Buffer.from(
    JSON.stringify([
      id,
      m.listener,
      m.peer,
      m.sendingApplication,
      m.sendingFacility,
      m.receivingApplication,
      m.receivingFacility,
      m.messageType,
      m.triggerEvent,
      m.controlId,
      m.receivedAt.getTime(),
    ]),
  );
  const record = Buffer.allocUnsafe(4 + meta.length + m.raw.length);
  record.writeUInt32LE(meta.length, 0);
  meta.copy(record, 4);
  m.raw.copy(record, 4 + meta.length);
  return record;
}

export function decodeJournalRecord(record: Buffer): { id: number; message: InboundMessage } {
  const metaLength = record.readUInt32LE(0);
  const [
    id,
    listener,
    peer,
    sendingApplication,
    sendingFacility,
    receivingApplication,
    receivingFacility,
    messageType,
    triggerEvent,
    controlId,
    receivedAt,
  ] = JSON.parse(record.subarray(4, 4 + metaLength).toString('utf8'));
  return {
    id,
    message: {
      listener,
      peer,
      sendingApplication,
      sendingFacility,
      receivingApplication,
      receivingFacility,
      messageType,
      triggerEvent,
      controlId,
      receivedAt: new Date(receivedAt),
      raw: Buffer.from(record.subarray(4 + metaLength)),
    },
  };
}
