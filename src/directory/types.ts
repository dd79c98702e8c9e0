/**
 * The directory's vocabulary: people (and placeholders), their ids in other systems, how to reach them,
 * and groups. The YAML file is the source of truth; these are plain immutable records.
 */

/**
 * How a person is reached. 'app' is the Switchboard clinician page over WebSocket (address = account
 * name); 'pager' a pager number (WCTP, SNPP or email-to-pager downstream); 'phone' a dialable number;
 * 'sip' a SIP URI; 'email' a mail address.
 */
export type ContactKind = 'app' | 'pager' | 'phone' | 'sip' | 'email';

export const contactKinds: readonly ContactKind[] = ['app', 'pager', 'phone', 'sip', 'email'];

export interface ContactPoint {
  kind: ContactKind;
  address: string;
  /** e.g. 'work cell', 'unit phone' */
  label?: string;
  /** Pager and email contacts: the paging carrier (config `paging.carriers`) that serves this one. */
  carrier?: string;
}

/**
 * A person's ids in other systems, named as those systems name them: scheduling systems call theirs
 * `uniqueId` and `custom1`–`custom4` (QGenda also matches staff by their `abbreviation`); Epic has a SER id
 * and EHR user name; Microsoft a UPN; CC&C its own.
 */
export type ExternalIdKind =
  | 'employeeId'
  | 'uniqueId'
  | 'custom1'
  | 'custom2'
  | 'custom3'
  | 'custom4'
  | 'abbreviation'
  | 'npi'
  | 'ehrUser'
  | 'epicSer'
  | 'upn'
  | 'ccc';

export const externalIdKinds: readonly ExternalIdKind[] = [
  'employeeId',
  'uniqueId',
  'custom1',
  'custom2',
  'custom3',
  'custom4',
  'abbreviation',
  'npi',
  'ehrUser',
  'epicSer',
  'upn',
  'ccc',
];

export type ExternalIds = Partial<Record<ExternalIdKind, string>>;

export interface Person {
  /** Our stable id, e.g. 'p-ahmed'. */
  id: string;
  name: string;
  /** e.g. 'MD', 'RN' */
  title?: string;
  department?: string;
  /**
   * A named slot ("Cardiology fellow on call") with its own contact points rather than a human being.
   * First class: a shift may be filled by a placeholder, and alerts reach its contact points.
   */
  placeholder: boolean;
  ids: ExternalIds;
  contacts: ContactPoint[];
  /**
   * Deactivated by provisioning (SCIM, LDAP): kept so shifts and timelines still name them, but found by
   * no lookup, reachable at no contact point, and a member of no group (src/directory/overlay.ts).
   */
  deactivated?: boolean;
}

export interface Group {
  id: string;
  name: string;
  /** Person (or placeholder) ids. */
  members: string[];
  /** A group may have its own contact points, e.g. the operators' shared pager. */
  contacts: ContactPoint[];
}
