/** The directory: people (and placeholders), their ids in other systems, contact points, and groups. */
export { Directory, type LookupKind, normalizePager } from './directory.ts';
export { directoryKey, loadDirectory } from './load.ts';
export {
  type ContactKind,
  type ContactPoint,
  contactKinds,
  type ExternalIdKind,
  type ExternalIds,
  externalIdKinds,
  type Group,
  type Person,
} from './types.ts';
