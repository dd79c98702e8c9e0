/**
 * The connector kinds a running Switchboard uses: every kind of connectors/kinds.ts, with the file exports
 * bound to the store (they read the schedule when a file is due and keep their delta state there).
 */
import type { ConnectorKind } from '../connectors/connector.ts';
import { boundFileExportKinds } from '../connectors/exports/kinds.ts';
import { connectorKinds } from '../connectors/kinds.ts';
import type { Store } from '../store/port.ts';

export function runningConnectorKinds(
  store: Pick<Store, 'schedules' | 'exportState'>,
): ReadonlyMap<string, ConnectorKind<never>> {
  const kinds = new Map(connectorKinds);
  for (const k of boundFileExportKinds({ schedules: store.schedules, exportState: store.exportState }))
    kinds.set(k.kind, k);
  return kinds;
}
