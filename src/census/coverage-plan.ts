/**
 * Staff coverage: which nurse, tech or charge nurse covers which beds of a unit, and when. Loaded from
 * `coverage:` in the configuration (coverage-load.ts) and asked by CoverageResolver.
 */
import type { ShiftWindow } from './shift-window.ts';

export interface StaffCoverage {
  /** Person or placeholder id, as in the directory (e.g. 'rn-alvarez', 'charge-4w'). */
  person: string;
  /** 'nurse', 'tech', 'charge-nurse', or any other role a site uses. Compared case-insensitively. */
  role: string;
  /** The point of care as ADT sends it in PV1-3.1, e.g. '4W', 'ICU', 'ED'. */
  unit: string;
  /**
   * Bed labels; empty for the whole unit. A label names a bed as ROOM-BED ('401-A'), as a bed id alone
   * ('ICU-3'), or a whole room ('401'); see CoverageResolver for how it meets PV1-3.
   */
  beds: string[];
  /** Local wall-clock hours; undefined for around the clock. */
  window?: ShiftWindow;
  /** The named shift it came from ('day', 'night'), if any. */
  shift?: string;
  /** Where it was written: shown as the "why" of a dry run. */
  origin: { file: string; line?: number };
}

export interface CoveragePlan {
  entries: StaffCoverage[];
}
