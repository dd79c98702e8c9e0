/**
 * Every connector kind the framework knows, by the name connectors.yaml uses. A new kind is added here.
 */
import type { ConnectorKind } from './connector.ts';
import { fileExportKinds } from './exports/kinds.ts';
import { graphKind } from './graph/index.ts';
import { handoffKind } from './handoff/index.ts';
import { staffHl7Kind } from './hl7-staff/index.ts';
import { icalKind } from './ical/index.ts';
import { tigerConnectKind } from './tigerconnect/index.ts';
import { wctpKind } from './wctp/index.ts';
import { webhookKind } from './webhook/index.ts';

export const connectorKinds: ReadonlyMap<string, ConnectorKind<never>> = new Map(
  (
    [
      webhookKind,
      graphKind,
      icalKind,
      tigerConnectKind,
      staffHl7Kind,
      wctpKind,
      handoffKind,
      ...fileExportKinds,
    ] as ConnectorKind<never>[]
  ).map((k) => [k.kind, k]),
);
