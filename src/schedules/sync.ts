import type { ScheduleStore } from '../store/schedule-port.ts';
import { isConfigSource, type ScheduleConfig } from './load.ts';

export interface ScheduleSyncResult {
  /** Per source: how many shifts were replaced by how many. */
  sources: Array<{ source: string; removed: number; inserted: number }>;
}

/**
 * Writes a loaded (and problem-free) schedule configuration into the store: assignments are upserted,
 * each config source ('yaml', 'csv:<file>', 'demo') is replaced as a whole, and a config source that is no
 * longer named (a CSV taken out of the list) is emptied. Sources written by other syncs are left alone.
 */
export async function applySchedules(
  store: ScheduleStore,
  config: ScheduleConfig,
): Promise<ScheduleSyncResult> {
  await store.upsertAssignments(config.assignments);
  const result: ScheduleSyncResult = { sources: [] };
  for (const [source, shifts] of config.sources) {
    const r = await store.replaceShifts(source, shifts);
    result.sources.push({ source, ...r });
  }
  for (const stale of await store.sources()) {
    if (!isConfigSource(stale) || config.sources.has(stale)) continue;
    const r = await store.replaceShifts(stale, []);
    result.sources.push({ source: stale, ...r });
  }
  return result;
}
