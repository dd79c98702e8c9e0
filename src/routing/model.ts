/**
 * What the routing core needs to know about people, schedules, patients and coverage, as one narrow port.
 * main.ts builds it from the directory, the schedule store and the census; behaviour tests may build a small
 * one by hand. Every answer says enough for a timeline's "why".
 */
import type { OnCallGap } from './on-call-words.ts';

export interface OnCallEntry {
  personId: string;
  callOrder: number;
  shiftId: string | number;
  start: Date;
  end: Date;
}

export interface CareTeamEntry {
  role: string;
  /** The directory person the provider maps to through the id crosswalk, when one does. */
  personId?: string;
  /** The provider as the EHR named them, for the timeline when no person matches. */
  provider: string;
}

export interface PatientContext {
  mrn: string;
  name?: string;
  location?: { facility?: string; unit?: string; room?: string; bed?: string };
}

export interface RoutingModel {
  personName(personId: string): string | undefined;
  /** Person ids of a group's members, or undefined when there is no such group. */
  groupMembers(groupId: string): string[] | undefined;
  /** People (and group members) whose virtual pager number this is. */
  peopleByPager(number: string): string[];
  /** Whether the person has at least one contact point. */
  isReachable(personId: string): boolean;
  /** Deactivated by provisioning (SCIM, LDAP): never a recipient, even while still on a schedule. */
  isDeactivated?(personId: string): boolean;
  onCall(assignmentId: string, at: Date): Promise<OnCallEntry[]>;
  /**
   * The site's IANA time zone (config `site.timezone`): reasons and notes name local times in it.
   * @defaultValue 'UTC' for a hand-built model that does not say
   */
  readonly zone?: string;
  /** The assignment's name as the hospital says it ('Hospitalist'); the id when a model does not know it. */
  assignmentName?(assignmentId: string): Promise<string | undefined>;
  /** The gap in the schedule (nobody reachable on call) that `at` falls in, when there is one. */
  onCallGap?(assignmentId: string, at: Date): Promise<OnCallGap | undefined>;
  /** The patient's care-team members in a role ('attending', 'primary-care', a ROL code), mapped to people. */
  careTeam(mrn: string, role: string, at: Date): Promise<CareTeamEntry[]>;
  /** Staff covering a location in a role at a time, bed-level assignments first. */
  covering(
    location: NonNullable<PatientContext['location']>,
    role: string,
    scope: 'bed' | 'unit' | 'bedOrUnit',
    at: Date,
  ): Promise<string[]>;
  /** Where the patient is now, from the census, when the message does not say. */
  patientLocation(mrn: string): Promise<PatientContext['location'] | undefined>;
}
