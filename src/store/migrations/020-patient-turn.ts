import type { Migration } from './migration.ts';

/**
 * On a shared store, the messages still waiting for routing, by patient: an instance about to route a
 * patient's message looks here for an earlier one another instance has not routed yet
 * (MessageStore.earlierElsewhere), so one patient's ADT is applied in the order it was stored. Partial:
 * it holds only what waits, a few rows however long the history. The embedded store has one routing
 * core, whose queue keeps that order by itself: nothing to add there (an index would cost every ingest).
 */
export const patientTurn: Migration = {
  version: 20,
  name: 'messages: waiting messages by patient',
  sqlite: '',
  postgres: `CREATE INDEX messages_waiting_patient ON messages (patient_mrn, id) WHERE status = 'received';`,
};
