/**
 * The directory overlay: what provisioning (SCIM, LDAP) and imports (a scheduling system's demographics)
 * change in the directory, kept durably on top of config/directory.yaml. The config file stays the
 * analyst's source; the overlay adds people, updates their details and contact points, and deactivates
 * them. Every value carries where it came from (a source name such as 'scim:entra', 'ldap:corp' or
 * 'import:qgenda') and when, so an analyst can tell why a pager number changed.
 *
 * Kinds and fields use the directory's words (src/directory/types.ts) as plain strings: the store layer
 * imports nothing above it.
 */

/** Where a value came from: the writer's source name and the time it wrote it. */
export interface Origin {
  source: string;
  at: Date;
}

/** A contact point as the directory knows it (`kind`: app, pager, phone, sip, email). */
export interface OverlayContact {
  kind: string;
  address: string;
  label?: string;
  carrier?: string;
}

/** A contact point in the overlay with where it came from. */
export interface OverlayContactRecord extends OverlayContact {
  personId: string;
  origin: Origin;
}

/** The person fields a writer may set; an absent field is left as it is. */
export interface OverlayPersonFields {
  name?: string;
  title?: string | null;
  department?: string | null;
  /** Crosswalk ids by kind (employeeId, upn, npi, …); a null value removes that id. */
  ids?: Record<string, string | null>;
  /**
   * What the provisioning system sent that the directory has no field for (a SCIM user's userName,
   * emails and extensions; an LDAP entry's mapped attributes), kept so it can be returned as it was sent.
   */
  attributes?: Record<string, unknown>;
}

export interface OverlayPerson {
  /** Our person id: a config person's id, or one made for a provisioned person ('p-…'). */
  id: string;
  name: string | null;
  title: string | null;
  department: string | null;
  ids: Record<string, string>;
  attributes: Record<string, unknown>;
  /** False once deactivated: the person is kept (shifts and timelines name them) but routed to no more. */
  active: boolean;
  /** The provisioning system's key for this person (SCIM id, LDAP entryUUID/DN), with its source. */
  externalKey: { source: string; key: string } | null;
  /** Where each field (name, title, department, ids.<kind>, attributes, active) came from. */
  provenance: Record<string, Origin>;
  /** Counts every change; SCIM's ETag is built from it. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface OverlayGroup {
  id: string;
  name: string;
  /** The provisioning system's key (SCIM group id), with its source. */
  externalKey: { source: string; key: string } | null;
  /** Roles this group grants on sign-in ('clinician', 'analyst', 'admin'). */
  roles: string[];
  members: string[];
  attributes: Record<string, unknown>;
  origin: Origin;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface OverlayGroupFields {
  name?: string;
  roles?: string[];
  attributes?: Record<string, unknown>;
}

export interface DirectoryOverlayStore {
  /**
   * Creates or updates a person by our id, changing only the fields given; records `origin` for each.
   * `externalKey`, when given, links the person to the provisioning system's key (set once, kept).
   */
  savePerson(
    id: string,
    fields: OverlayPersonFields,
    origin: Origin,
    externalKey?: { source: string; key: string },
  ): Promise<OverlayPerson>;
  /** Deactivates (false) or reactivates (true) a person; creates the overlay row if there is none. */
  setActive(id: string, active: boolean, origin: Origin): Promise<OverlayPerson>;
  /** Removes a person from the overlay entirely (their config entry, if any, is untouched). */
  removePerson(id: string): Promise<boolean>;
  person(id: string): Promise<OverlayPerson | undefined>;
  personByExternalKey(source: string, key: string): Promise<OverlayPerson | undefined>;
  /** Every overlay person, active or not, ordered by id. */
  people(): Promise<OverlayPerson[]>;

  /**
   * Replaces the contact points one source gave a person (those of other sources stay). An empty list
   * removes that source's contact points. Returns the person's contact points from every source.
   */
  replaceContacts(
    personId: string,
    contacts: OverlayContact[],
    origin: Origin,
  ): Promise<OverlayContactRecord[]>;
  /** Contact points in the overlay, of one person or of everyone, in the order written. */
  contacts(personId?: string): Promise<OverlayContactRecord[]>;

  saveGroup(
    id: string,
    fields: OverlayGroupFields,
    origin: Origin,
    externalKey?: { source: string; key: string },
  ): Promise<OverlayGroup>;
  /** Replaces a group's members (person ids). */
  setMembers(groupId: string, members: string[], origin: Origin): Promise<OverlayGroup>;
  removeGroup(id: string): Promise<boolean>;
  group(id: string): Promise<OverlayGroup | undefined>;
  groupByExternalKey(source: string, key: string): Promise<OverlayGroup | undefined>;
  groups(): Promise<OverlayGroup[]>;

  /**
   * A number that grows with every change to the overlay: a reader holding an in-memory directory compares
   * it to know when to rebuild (another process, or another writer in this one, may have changed it).
   */
  revision(): Promise<number>;
}
