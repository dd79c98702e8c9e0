import { unlinkSync } from 'node:fs';
import type { MessageStore } from '../port.ts';
import { decodeInbound } from './record.ts';
import { listSegments, readSegment, syncDirectory } from './segment-file.ts';

/**
 * Stores every message an inbound journal holds (after a crash: acknowledged, perhaps not yet in the
 * store; rows already there are skipped as duplicates, so replaying twice does no harm), makes that
 * durable, then empties the journal. Returns how many messages were new to the store; they are
 * `received`, and routing takes them up with the rest of what it finds unrouted at start.
 */
export async function replayInboundJournal(
  dir: string,
  messages: Pick<MessageStore, 'saveJournaled'>,
  durable: () => Promise<void>,
): Promise<number> {
  const segments = listSegments(dir);
  if (segments.length === 0) return 0;
  let fresh = 0;
  for (const segment of segments) {
    for (const record of readSegment(segment.path)) {
      const saved = await messages.saveJournaled(decodeInbound(record.payload));
      if (!saved.duplicate) fresh += 1;
    }
  }
  await durable();
  clearJournal(dir);
  return fresh;
}

/** Deletes every segment (once the store holds what they held on the disk). */
export function clearJournal(dir: string): void {
  for (const segment of listSegments(dir)) unlinkSync(segment.path);
  syncDirectory(dir);
}
