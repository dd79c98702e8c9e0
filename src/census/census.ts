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

/** Events that join two patients' records: they wait for, and hold up, every other patient. */
const MERGES = new Set(['A34', 'A35', 'A36', 'A37', 'A39', 'A40', 'A41', 'A42', 'A44', 'A47']);

export class Census {
  /** The last apply in flight per patient (PID-3.1); a merge is a barrier across all of them. */
  private readonly tails = new Map<string, Promise<unknown>>();
  private barrier: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: CensusStore,
    private readonly options: CensusOptions,
  ) {}

  /**
   * Applies an ADT message after every earlier message about the same patient (and after any earlier
   * merge); messages about different patients run side by side, so their writes share group commits.
   */
  applyAdt(message: Hl7Message, receivedAt?: Date): Promise<CensusUpdate | undefined> {
    const run = () => applyAdt(message, this.store, { ...this.options, receivedAt });
    if (MERGES.has(message.header.triggerEvent)) {
      const all = Promise.all([this.barrier, ...this.tails.values()]);
      const result = all.then(run, run);
      this.barrier = result.catch(() => undefined);
      this.tails.clear();
      return result;
    }
    let key = '';
    try {
      key = message.get('PID-3.1') ?? '';
    } catch {
      key = '';
    }
    const before = this.tails.get(key) ?? this.barrier;
    const result = before.then(run, run);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
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
