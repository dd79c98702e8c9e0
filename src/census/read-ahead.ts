import type {
  AdtCensus,
  AdtReads,
  CareTeamMember,
  CensusStore,
  Patient,
  Visit,
} from '../store/census-port.ts';

/**
 * The census as one ADT message's application sees it, with what it will read fetched in one look first
 * (CensusStore.readForAdt) where a read is a round trip: a patient's ADT reads the patient, the active
 * visit, the visit and two care-team scopes, five round trips on PostgreSQL otherwise. Each read-ahead
 * answer serves once, and a write to what it answers drops it, so a read after a write goes to the store.
 */
export async function withReadAhead(
  store: CensusStore,
  mrn: string,
  visitNumber: string | undefined,
): Promise<AdtCensus> {
  const reads = await store.readForAdt?.(mrn, visitNumber);
  return reads ? new ReadAhead(store, mrn, reads) : store;
}

class ReadAhead implements AdtCensus {
  private patientRead?: Patient | undefined;
  private activeRead?: Visit | undefined;
  private readonly visits = new Map<string, Visit | undefined>();
  private readonly scopes = new Map<string, CareTeamMember[]>();
  private hasPatient = true;
  private hasActive = true;

  constructor(
    private readonly store: AdtCensus,
    private readonly mrn: string,
    reads: AdtReads,
  ) {
    this.patientRead = reads.patient;
    this.activeRead = reads.activeVisit;
    this.visits.set(reads.visitNumber, reads.visit);
    this.scopes.set('', reads.patientTeam);
    this.scopes.set(reads.visitNumber, reads.visitTeam);
  }

  patient(mrn: string): Promise<Patient | undefined> {
    if (mrn !== this.mrn || !this.hasPatient) return this.store.patient(mrn);
    this.hasPatient = false;
    return Promise.resolve(this.patientRead);
  }

  activeVisit(mrn: string): Promise<Visit | undefined> {
    if (mrn !== this.mrn || !this.hasActive) return this.store.activeVisit(mrn);
    this.hasActive = false;
    return Promise.resolve(this.activeRead);
  }

  visit(visitNumber: string): Promise<Visit | undefined> {
    if (!this.visits.has(visitNumber)) return this.store.visit(visitNumber);
    const read = this.visits.get(visitNumber);
    this.visits.delete(visitNumber);
    return Promise.resolve(read);
  }

  careTeamScope(mrn: string, visitNumber: string | undefined): Promise<CareTeamMember[]> {
    const scope = visitNumber ?? '';
    if (mrn !== this.mrn || !this.scopes.has(scope)) return this.store.careTeamScope(mrn, visitNumber);
    const read = this.scopes.get(scope) ?? [];
    this.scopes.delete(scope);
    return Promise.resolve(read);
  }

  upsertPatient(patient: Patient): Promise<void> {
    if (patient.mrn === this.mrn) this.hasPatient = false;
    return this.store.upsertPatient(patient);
  }

  upsertVisit(visit: Visit): Promise<void> {
    this.visits.delete(visit.visitNumber);
    if (visit.mrn === this.mrn) this.hasActive = false;
    return this.store.upsertVisit(visit);
  }

  setCareTeam(mrn: string, visitNumber: string | undefined, members: CareTeamMember[]): Promise<void> {
    if (mrn === this.mrn) this.scopes.delete(visitNumber ?? '');
    return this.store.setCareTeam(mrn, visitNumber, members);
  }

  mergePatients(fromMrn: string, intoMrn: string): Promise<void> {
    this.forget();
    return this.store.mergePatients(fromMrn, intoMrn);
  }

  private forget(): void {
    this.hasPatient = false;
    this.hasActive = false;
    this.visits.clear();
    this.scopes.clear();
  }
}
