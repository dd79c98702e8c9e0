import type { Migration } from './migration.ts';

const tables = (id: string, big: string) => `
  CREATE TABLE alerts (
    id ${id},
    message_id ${big},
    source TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    priority TEXT NOT NULL,
    patient TEXT,
    dedup_key TEXT,
    context TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at ${big} NOT NULL,
    updated_at ${big} NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at ${big}
  );
  CREATE INDEX alerts_dedup ON alerts (dedup_key, created_at);
  CREATE INDEX alerts_created ON alerts (created_at);
  CREATE TABLE alert_recipients (
    alert_id ${big} NOT NULL REFERENCES alerts (id),
    person_id TEXT NOT NULL,
    state TEXT NOT NULL,
    step INTEGER NOT NULL,
    reason TEXT NOT NULL,
    notified_at ${big} NOT NULL,
    updated_at ${big} NOT NULL,
    PRIMARY KEY (alert_id, person_id)
  );
  CREATE INDEX alert_recipients_person ON alert_recipients (person_id, alert_id);
  CREATE TABLE alert_events (
    id ${id},
    alert_id ${big} NOT NULL REFERENCES alerts (id),
    at ${big} NOT NULL,
    kind TEXT NOT NULL,
    person_id TEXT,
    detail TEXT NOT NULL
  );
  CREATE INDEX alert_events_alert ON alert_events (alert_id, id);
  CREATE TABLE escalation_timers (
    alert_id ${big} PRIMARY KEY REFERENCES alerts (id),
    policy TEXT NOT NULL,
    rule_recipients TEXT NOT NULL,
    next_step INTEGER NOT NULL,
    pass INTEGER NOT NULL,
    due_at ${big} NOT NULL
  );
  CREATE INDEX escalation_timers_due ON escalation_timers (due_at);
  CREATE TABLE rule_batches (
    batch_key TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    due_at ${big} NOT NULL,
    items TEXT NOT NULL
  );
`;

export const alerts: Migration = {
  version: 4,
  name: 'alerts, recipients, timeline, escalation timers, batches',
  sqlite: tables('INTEGER PRIMARY KEY', 'INTEGER'),
  postgres: tables('BIGSERIAL PRIMARY KEY', 'BIGINT'),
};
