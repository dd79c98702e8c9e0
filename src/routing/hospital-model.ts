import type { Census } from '../census/census.ts';
import type { CoverageResolver } from '../census/coverage-resolver.ts';
import type { Directory } from '../directory/directory.ts';
import type { OnCallResolver } from '../schedules/on-call.ts';
import type { ScheduleStore } from '../store/schedule-port.ts';
import { personForProvider, providerLabel } from './care-team-people.ts';
import type { CareTeamEntry, OnCallEntry, PatientContext, RoutingModel } from './model.ts';
import type { OnCallGap } from './on-call-words.ts';

export interface HospitalParts {
  /** Functions, so a reload of the directory or coverage is seen at once. */
  directory: () => Directory;
  coverage: () => CoverageResolver;
  oncall: OnCallResolver;
  census: Census;
  zone: string;
  /** Assignment names, for reasons in the hospital's words. */
  assignments: Pick<ScheduleStore, 'getAssignment'>;
}

/** How far around an empty moment the schedule is searched for the gap's edges. */
const GAP_SEARCH_MS = 7 * 86_400_000;

/** The routing model over the real parts: the directory, the schedule store, the census and coverage. */
export class HospitalModel implements RoutingModel {
  readonly zone: string;

  constructor(private readonly parts: HospitalParts) {
    this.zone = parts.zone;
  }

  async assignmentName(assignmentId: string): Promise<string | undefined> {
    return (await this.parts.assignments.getAssignment(assignmentId))?.name;
  }

  async onCallGap(assignmentId: string, at: Date): Promise<OnCallGap | undefined> {
    const from = new Date(at.getTime() - GAP_SEARCH_MS);
    const to = new Date(at.getTime() + GAP_SEARCH_MS);
    const [found] = await this.parts.oncall.coverageGaps(
      from,
      to,
      (id) => this.isReachable(id),
      assignmentId,
    );
    const gap = found?.gaps.find((g) => g.start <= at && at < g.end);
    if (!gap) return undefined;
    return {
      ...(gap.start > from ? { start: gap.start } : {}),
      ...(gap.end < to ? { end: gap.end } : {}),
    };
  }

  personName(personId: string): string | undefined {
    return this.parts.directory().person(personId)?.name;
  }

  isDeactivated(personId: string): boolean {
    return this.parts.directory().isDeactivated(personId);
  }

  groupMembers(groupId: string): string[] | undefined {
    const d = this.parts.directory();
    return d.group(groupId) ? d.members(groupId).map((p) => p.id) : undefined;
  }

  peopleByPager(number: string): string[] {
    const d = this.parts.directory();
    const { people, groups } = d.findByPagerNumber(number);
    return [
      ...new Set([...people.map((p) => p.id), ...groups.flatMap((g) => d.members(g.id).map((p) => p.id))]),
    ];
  }

  isReachable(personId: string): boolean {
    return this.parts.directory().isReachable(personId);
  }

  async onCall(assignmentId: string, at: Date): Promise<OnCallEntry[]> {
    return (await this.parts.oncall.onCall(assignmentId, at)).map((e) => ({
      personId: e.personId,
      callOrder: e.callOrder,
      shiftId: e.shift.id,
      start: e.shift.start,
      end: e.shift.end,
    }));
  }

  async careTeam(mrn: string, role: string, at: Date): Promise<CareTeamEntry[]> {
    const d = this.parts.directory();
    const members = await this.parts.census.careTeamInRole(mrn, role, at);
    return members.map((m) => ({
      role: m.role,
      personId: personForProvider(d, m.provider)?.id,
      provider: providerLabel(m.provider),
    }));
  }

  async covering(
    location: NonNullable<PatientContext['location']>,
    role: string,
    scope: 'bed' | 'unit' | 'bedOrUnit',
    at: Date,
  ): Promise<string[]> {
    const unit = location.unit ?? '';
    const matches = this.parts
      .coverage()
      .coverageOf({ unit, room: location.room, bed: location.bed }, role, at, this.parts.zone);
    const bed = matches.filter((m) => m.level === 'bed').map((m) => m.person);
    const whole = matches.filter((m) => m.level === 'unit').map((m) => m.person);
    const chosen = scope === 'bed' ? bed : scope === 'unit' ? whole : bed.length ? bed : whole;
    return [...new Set(chosen)];
  }

  async patientLocation(mrn: string): Promise<PatientContext['location'] | undefined> {
    const visit = await this.parts.census.activeVisit(mrn);
    const l = visit?.location;
    return l ? { facility: l.facility, unit: l.unit, room: l.room, bed: l.bed } : undefined;
  }
}
