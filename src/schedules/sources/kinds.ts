import { amionKind } from './amion.ts';
import { csvDropKind } from './csv-drop.ts';
import { icalKind } from './ical.ts';
import { pushKind } from './push.ts';
import { qgendaKind } from './qgenda.ts';
import { shiftAdminKind } from './shiftadmin.ts';
import type { SourceKind } from './source.ts';

/**
 * Every scheduling system Switchboard can sync from, by the `kind:` a source names in sources.yaml. A new
 * system's client adds its kind here; the engine and the config loader know nothing else about it.
 */
export const sourceKinds: readonly SourceKind[] = [
  amionKind as SourceKind,
  qgendaKind as SourceKind,
  icalKind as SourceKind,
  pushKind as SourceKind,
  shiftAdminKind as SourceKind,
  csvDropKind as SourceKind,
];

export function findSourceKind(kind: string): SourceKind | undefined {
  return sourceKinds.find((k) => k.kind === kind);
}
