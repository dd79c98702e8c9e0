/**
 * Who covers a patient's bed now: the nurse (tech, charge nurse...) assigned to that bed for the
 * current shift, else whoever covers the whole unit. Bed-level assignments win because they name the
 * person who actually has the patient; the unit-level entry is the fallback that keeps anyone from
 * falling through (a charge nurse, a float, a bed nobody was given).
 */
import type { CoveragePlan, StaffCoverage } from './coverage-plan.ts';
import { wallClockMinutes, windowCovers } from './shift-window.ts';

/** Where the patient lies, as PV1-3 sends it (point of care, room, bed). */
export interface CoveredPlace {
  unit: string;
  room?: string;
  bed?: string;
}

/** One person found, and why: the entry that matched (file and line) and at which level. */
export interface CoverageMatch {
  person: string;
  level: 'bed' | 'unit';
  entry: StaffCoverage;
}

const norm = (s: string | undefined) => (s ?? '').trim().toUpperCase();

/**
 * The labels a place answers to: 'ROOM-BED' (401-A), the bed id alone (ICU-3, for units that number
 * beds without rooms), and the room alone (a room-level assignment covers every bed in it).
 */
function labelsOf(place: CoveredPlace): Set<string> {
  const room = norm(place.room);
  const bed = norm(place.bed);
  const labels = new Set<string>();
  if (room && bed) labels.add(`${room}-${bed}`);
  if (bed) labels.add(bed);
  if (room) labels.add(room);
  return labels;
}

export class CoverageResolver {
  private readonly byUnit = new Map<string, StaffCoverage[]>();

  constructor(plan: CoveragePlan) {
    for (const entry of plan.entries) {
      const unit = norm(entry.unit);
      const list = this.byUnit.get(unit) ?? [];
      list.push(entry);
      this.byUnit.set(unit, list);
    }
  }

  /**
   * Person ids covering the place in `role` at `at` (wall clock in `zone`): bed-level assignments
   * first, else unit-level ones; in the order the configuration lists them, each person once.
   */
  covering(place: CoveredPlace, role: string, at: Date, zone: string): string[] {
    return this.coverageOf(place, role, at, zone).map((m) => m.person);
  }

  /** Like covering(), with the matching entries, for a dry run's "why". */
  coverageOf(place: CoveredPlace, role: string, at: Date, zone: string): CoverageMatch[] {
    const minute = wallClockMinutes(at, zone);
    const wanted = norm(role);
    const labels = labelsOf(place);
    const onDuty = (this.byUnit.get(norm(place.unit)) ?? []).filter(
      (e) => norm(e.role) === wanted && (e.window === undefined || windowCovers(e.window, minute)),
    );
    const atBed = onDuty.filter((e) => e.beds.some((b) => labels.has(norm(b))));
    const level: CoverageMatch['level'] = atBed.length > 0 ? 'bed' : 'unit';
    const chosen = atBed.length > 0 ? atBed : onDuty.filter((e) => e.beds.length === 0);
    const seen = new Set<string>();
    const matches: CoverageMatch[] = [];
    for (const entry of chosen) {
      if (seen.has(entry.person)) continue;
      seen.add(entry.person);
      matches.push({ person: entry.person, level, entry });
    }
    return matches;
  }

  /** Every entry on duty at `at` for a unit (any role), e.g. for a unit's staffing board. */
  onDuty(unit: string, at: Date, zone: string): StaffCoverage[] {
    const minute = wallClockMinutes(at, zone);
    return (this.byUnit.get(norm(unit)) ?? []).filter(
      (e) => e.window === undefined || windowCovers(e.window, minute),
    );
  }
}
