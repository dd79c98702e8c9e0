/**
 * The exports whose file may be made on a thread of its own (file-on-thread.ts): those that write the
 * whole span in one CSV from the shifts and the run's settings alone. A delta export stages its rows in
 * the export state as it writes, and the backup and the warehouse write files of their own, so they are
 * made on the export's thread.
 */
import { epicOnCallFinder } from './epic-on-call-finder.ts';
import { epicOpTime } from './epic-optime.ts';
import type { FileExportKind } from './export-kind.ts';
import { kronosWfc } from './kronos-wfc.ts';

const onThread = new Map<string, FileExportKind<unknown>>(
  ([epicOnCallFinder, epicOpTime, kronosWfc] as unknown as FileExportKind<unknown>[]).map((k) => [k.kind, k]),
);

export function kindOnThread(kind: string): FileExportKind<unknown> | undefined {
  return onThread.get(kind);
}
