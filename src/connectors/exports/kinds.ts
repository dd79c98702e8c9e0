/**
 * The file exports as connector kinds. Reading connectors.yaml needs only their options, so the kinds
 * listed in connectors/kinds.ts are `fileExportKinds`, whose senders are not bound to a store; the wiring
 * swaps in `boundFileExportKinds` (the same kinds with the schedule store and the export state), which
 * read the schedule when a file is due.
 */
import type { ConnectorKind } from '../connector.ts';
import { TargetError } from '../errors.ts';
import { partnerPushKind } from '../partner/partner-push.ts';
import { dataWarehouse } from './data-warehouse.ts';
import { epicOnCallFinder } from './epic-on-call-finder.ts';
import { epicOpTime } from './epic-optime.ts';
import type { FileExportKind } from './export-kind.ts';
import { type FileExportDeps, fileExportKind } from './file-connector.ts';
import { kronosWfc } from './kronos-wfc.ts';
import { kronosWfd } from './kronos-wfd.ts';
import { newInnovations } from './new-innovations.ts';
import { scheduleBackup } from './schedule-backup.ts';

export const fileExports: ReadonlyArray<FileExportKind<never>> = [
  epicOnCallFinder,
  epicOpTime,
  kronosWfc,
  kronosWfd,
  newInnovations,
  scheduleBackup,
  dataWarehouse,
] as unknown as ReadonlyArray<FileExportKind<never>>;

const unbound: FileExportDeps = {
  get schedules(): never {
    throw new TargetError(
      'file exports are not wired to the schedule store (wiring: boundFileExportKinds)',
      true,
    );
  },
  get exportState(): never {
    throw new TargetError(
      'file exports are not wired to the export state (wiring: boundFileExportKinds)',
      true,
    );
  },
};

/**
 * For reading connectors.yaml: the kinds, their options and cadences. The partner push is here too: like
 * the files, it reads the schedule from the store when it sends.
 */
export const fileExportKinds: ReadonlyArray<ConnectorKind<never>> = [
  ...fileExports.map((k) => fileExportKind(k, unbound) as unknown as ConnectorKind<never>),
  partnerPushKind(() => unbound.schedules) as unknown as ConnectorKind<never>,
];

/** For running: the same kinds, reading the schedule store and keeping their delta state. */
export function boundFileExportKinds(deps: FileExportDeps): ConnectorKind<never>[] {
  return [
    ...fileExports.map((k) => fileExportKind(k, deps) as unknown as ConnectorKind<never>),
    partnerPushKind(() => deps.schedules) as unknown as ConnectorKind<never>,
  ];
}
