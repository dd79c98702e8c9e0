/**
 * Who a care-team entry is in the directory: the one lookup that both routing (a `careTeam:` recipient)
 * and the patient API use, so the page a clinician gets and the care team an analyst reads name the
 * same person.
 */
import type { Census } from '../census/census.ts';
import type { Directory } from '../directory/directory.ts';
import type { Person } from '../directory/types.ts';
import type { CareTeamMember, Provider } from '../store/census-port.ts';

/** A care-team entry with the directory person it maps to (null when the crosswalk knows nobody). */
export type CareTeamPerson = CareTeamMember & { personId: string | null };

/**
 * The directory person a provider is: NPI-typed ids go to the NPI crosswalk; any other id may be any of a
 * person's ids (EHR user, SER…). A provider sent by name only maps to nobody: names are not unique.
 */
export function personForProvider(directory: Directory, provider: Provider): Person | undefined {
  if (!provider.id) return undefined;
  const byNpi =
    provider.idType.toUpperCase() === 'NPI' ? directory.findByExternalId('npi', provider.id) : undefined;
  return byNpi ?? directory.findByExternalId('any', provider.id);
}

/** How the EHR named a provider, for the timeline when no person matches. */
export function providerLabel(provider: Provider): string {
  return `${provider.family}${provider.given ? `, ${provider.given}` : ''} (${provider.id || 'no id'})`;
}

/** The patient's whole care team at a time, each entry with the person routing would page for it. */
export async function careTeamPeople(
  census: Census,
  directory: Directory,
  mrn: string,
  at?: Date,
): Promise<CareTeamPerson[]> {
  const members = await census.careTeam(mrn, at);
  return members.map((m) => ({ ...m, personId: personForProvider(directory, m.provider)?.id ?? null }));
}
