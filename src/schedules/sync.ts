import type { ScheduleStore } from '../store/schedule-port.ts';
import { demoSource, expandRotations, isConfigSource, type ScheduleConfig } from './load.ts';
import type { Rotation } from './rotation.ts';

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

/**
 * Regenerates the demo rotation around `now` and replaces the 'demo' source with it. The rotation only
 * reaches `daysAfter` days ahead, so a server that runs for weeks should call this once a day; slots keep
 * their ids and people, so only the days that slid in and out of the window change.
 */
export async function refreshRotations(
  store: ScheduleStore,
  rotations: readonly Rotation[],
  zone: string,
  now: Date,
): Promise<{ removed: number; inserted: number }> {
  return store.replaceShifts(demoSource, expandRotations(rotations, zone, now));
}
