import { inbox } from './001-inbox.ts';
import { schedules } from './002-schedules.ts';
import { census } from './003-census.ts';
import { alerts } from './004-alerts.ts';
import { sip } from './005-sip.ts';
import { routingAttempts } from './006-routing-attempts.ts';
import { outbox } from './007-outbox.ts';
import { scheduleSync } from './008-schedule-sync.ts';
import { connectors } from './010-connectors.ts';
import { identity } from './011-identity.ts';
import { fileExports } from './012-file-exports.ts';
import { messaging } from './014-messaging.ts';
import { messageSearch } from './015-message-search.ts';
import { outboxTargets } from './016-outbox-targets.ts';
import { leases } from './017-leases.ts';
import { shiftsFileOrder } from './018-shifts-file-order.ts';
import { messageOwners } from './019-message-owners.ts';
import { patientTurn } from './020-patient-turn.ts';
import { staffCoverage } from './021-staff-coverage.ts';
import { messageWords } from './022-message-words.ts';
import { ruleEdits } from './023-rule-edits.ts';
import { signInFlows } from './024-sign-in-flows.ts';
import { signInFailures } from './025-sign-in-failures.ts';
import { censusFileSources } from './026-census-file-sources.ts';
import { knownSenders } from './027-known-senders.ts';
import { signInKnownAddresses } from './028-sign-in-known-addresses.ts';
import type { Migration } from './migration.ts';

export type { Migration } from './migration.ts';

/** Every migration, in order. One file per step; add new steps at the end. */
export const migrations: Migration[] = [
  inbox,
  schedules,
  census,
  alerts,
  sip,
  routingAttempts,
  outbox,
  scheduleSync,
  connectors,
  identity,
  fileExports,
  messaging,
  messageSearch,
  outboxTargets,
  leases,
  shiftsFileOrder,
  messageOwners,
  patientTurn,
  staffCoverage,
  messageWords,
  ruleEdits,
  signInFlows,
  signInFailures,
  censusFileSources,
  knownSenders,
  signInKnownAddresses,
].sort((a, b) => a.version - b.version);
