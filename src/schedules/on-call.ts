import type { Assignment, ScheduleStore, Shift } from '../store/schedule-port.ts';
import { type Interval, uncovered } from './intervals.ts';

/** One person on call, with the shift that puts them there (the "why" for a dry run or a timeline). */
export interface OnCallEntry {
  shift: Shift;
  personId: string;
  callOrder: number;
}

/** The stretches of [from, to) in which an assignment has nobody reachable on a published shift. */
export interface CoverageGap {
  assignment: Assignment;
  gaps: Interval[];
}

export interface OnCallResolverOptions {
  /**
   * Count draft (unpublished) shifts as on call. Off by default: a draft schedule is a proposal, and
   * nobody should be paged from it.
   * @defaultValue false
   */
  includeDrafts?: boolean;
}

/** Answers "who is on call for this assignment now", from the schedule store and nothing else. */
export class OnCallResolver {
  private readonly includeDrafts: boolean;

  constructor(
    private readonly store: ScheduleStore,
    options: OnCallResolverOptions = {},
  ) {
    this.includeDrafts = options.includeDrafts ?? false;
  }

  /**
   * Everyone on call for `assignmentId` at `at`, by call order (then by shift start). A person who holds
   * two overlapping shifts (say from two sources) is listed once, at their lowest call order.
   */
  async onCall(assignmentId: string, at: Date): Promise<OnCallEntry[]> {
    const shifts = await this.store.shiftsAt(assignmentId, at);
    const seen = new Set<string>();
    const entries: OnCallEntry[] = [];
    for (const shift of shifts) {
      if (!shift.published && !this.includeDrafts) continue;
      if (seen.has(shift.personId)) continue;
      seen.add(shift.personId);
      entries.push({ shift, personId: shift.personId, callOrder: shift.callOrder });
    }
    return entries;
  }

  /**
   * Everyone at the lowest call order that is on at `at` (usually one person; two when two people share
   * first call). With `isReachable`, a call order whose people all lack a contact point is passed over
   * for the next one, so an alert is never sent into a slot that cannot be reached.
   */
  async firstInCallOrder(
    assignmentId: string,
    at: Date,
    isReachable?: (personId: string) => boolean,
  ): Promise<OnCallEntry[]> {
    const entries = await this.onCall(assignmentId, at);
    const usable = isReachable ? entries.filter((e) => isReachable(e.personId)) : entries;
    if (usable.length === 0) return [];
    const first = usable[0].callOrder;
    return usable.filter((e) => e.callOrder === first);
  }

  /**
   * For each assignment (or only `assignmentId`), the intervals within [from, to) when no published shift
   * holds a reachable person: the published shifts of reachable people are merged, then subtracted from
   * the window. Assignments with full coverage are left out.
   */
  async coverageGaps(
    from: Date,
    to: Date,
    isReachable: (personId: string) => boolean,
    assignmentId?: string,
  ): Promise<CoverageGap[]> {
    if (!(to.getTime() > from.getTime())) throw new RangeError('coverage window must end after it starts');
    const assignments =
      assignmentId === undefined
        ? await this.store.listAssignments()
        : [await this.store.getAssignment(assignmentId)].filter((a): a is Assignment => a !== undefined);
    const shifts = await this.store.shiftsOverlapping(from, to, assignmentId);
    const covered = new Map<string, Interval[]>();
    for (const s of shifts) {
      if (!s.published && !this.includeDrafts) continue;
      if (!isReachable(s.personId)) continue;
      const list = covered.get(s.assignmentId) ?? [];
      list.push({ start: s.start, end: s.end });
      covered.set(s.assignmentId, list);
    }
    const result: CoverageGap[] = [];
    for (const assignment of assignments) {
      const gaps = uncovered(from, to, covered.get(assignment.id) ?? []);
      if (gaps.length > 0) result.push({ assignment, gaps });
    }
    return result;
  }
}
