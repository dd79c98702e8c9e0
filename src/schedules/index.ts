/** Schedules: assignments and shifts, loaded from config into the schedule store, and who is on call. */
export type { Assignment, AssignmentType, ScheduleStore, Shift } from '../store/schedule-port.ts';
export { readCsvShifts } from './csv-shifts.ts';
export { type Interval, mergeIntervals, uncovered } from './intervals.ts';
export {
  csvSource,
  demoSource,
  expandRotations,
  isConfigSource,
  loadSchedules,
  type ScheduleConfig,
  type ScheduleLoadOptions,
  schedulesKey,
  yamlSource,
} from './load.ts';
export { formatLocal, parseLocalTime } from './local-time.ts';
export { type CoverageGap, type OnCallEntry, OnCallResolver, type OnCallResolverOptions } from './on-call.ts';
export { expandRotation, type Rotation } from './rotation.ts';
export { applySchedules, refreshRotations, type ScheduleSyncResult } from './sync.ts';
