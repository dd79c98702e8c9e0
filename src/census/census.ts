/**
 * The census as the routing core uses it: hand it every inbound HL7 message, ask it where a patient lies
 * and who looks after them. ADT messages are applied one at a time, in the order given, because each
 * reads what the previous one wrote (a transfer needs the location the admission set).
 */
import type { Hl7Message } from '../protocols/hl7/index.ts';
import type {
  CareTeamMember,
  CensusStore,
  Patient,
  PatientAtLocation,
  PatientLocation,
  Visit,
} from '../store/census-port.ts';
import { adtToCensusChange } from './adt-change.ts';
import { applyCensusChange, type CensusUpdate } from './apply.ts';
import { membersInRole } from './care-team.ts';
import type { CoverageMatch, CoverageResolver } from './coverage-resolver.ts';

export interface CensusOptions {
  /** The site's IANA time zone (config `site.timezone`): HL7 times without an offset are local there. */
  zone: string;
}

/**
 * Reads one ADT message and applies it. Resolves undefined when the message is not one the census
 * follows (not ADT, or an event it ignores). Rejects with CensusMessageError when a followed event
 * names no patient. Callers must not apply two messages for one patient concurrently; the Census class
 * does the ordering for them.
 */
export async function applyAdt(
  message: Hl7Message,
  store: CensusStore,
  options: CensusOptions & { receivedAt?: Date },
): Promise<CensusUpdate | undefined> {
  const change = adtToCensusChange(message, options);
  return change === undefined ? undefined : applyCensusChange(change, store);
}

export class Census {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: CensusStore,
    private readonly options: CensusOptions,
  ) {}

  /** Applies an ADT message after every message given before it; see applyAdt. */
  applyAdt(message: Hl7Message, receivedAt?: Date): Promise<CensusUpdate | undefined> {
    const run = () => applyAdt(message, this.store, { ...this.options, receivedAt });
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  patient(mrn: string): Promise<Patient | undefined> {
    return this.store.patient(mrn);
  }

  activeVisit(mrn: string): Promise<Visit | undefined> {
    return this.store.activeVisit(mrn);
  }

  /** The patient's care team at `at` (default: every entry, whatever its ROL-5/6 window). */
  careTeam(mrn: string, at?: Date): Promise<CareTeamMember[]> {
    return this.store.careTeam(mrn, at);
  }

  /** Care-team members in a role: 'attending' finds PV1-7 and ROL 'AT' alike; ROL codes work as sent. */
  async careTeamInRole(mrn: string, role: string, at?: Date): Promise<CareTeamMember[]> {
    return membersInRole(await this.store.careTeam(mrn, at), role);
  }

  /**
   * The staff in `role` ('nurse', 'tech', 'charge-nurse') covering the bed the patient lies in now,
   * with the visit that places them and the coverage entries that matched (the "why" of a dry run).
   * No active visit: no visit and nobody.
   */
  async staffCovering(
    mrn: string,
    role: string,
    at: Date,
    coverage: CoverageResolver,
  ): Promise<{ visit?: Visit; matches: CoverageMatch[] }> {
    const visit = await this.store.activeVisit(mrn);
    if (visit === undefined) return { matches: [] };
    const { unit, room, bed } = visit.location;
    return { visit, matches: coverage.coverageOf({ unit, room, bed }, role, at, this.options.zone) };
  }

  patientsAt(location: Partial<PatientLocation>): Promise<PatientAtLocation[]> {
    return this.store.patientsAt(location);
  }

  setPatientFlags(mrn: string, flags: string[]): Promise<void> {
    return this.store.setPatientFlags(mrn, flags);
  }
}
