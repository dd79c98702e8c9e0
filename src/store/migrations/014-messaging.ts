import type { Migration } from './migration.ts';

/**
 * Clinicians' messages to each other (store/conversation-port.ts): conversations with their members and
 * the reason each was included, messages, and a receipt per recipient. `escalate_at` is set on an urgent
 * message until everyone has read it or it was escalated (then `escalation_alert_id` names the alert).
 */
const tables = (id: string, big: string) => `
  CREATE TABLE conversations (
    id ${id},
    subject TEXT NOT NULL,
    patient TEXT,
    patient_mrn TEXT,
    created_by TEXT NOT NULL,
    created_at ${big} NOT NULL,
    updated_at ${big} NOT NULL
  );
  CREATE INDEX conversations_updated ON conversations (updated_at);
  CREATE TABLE conversation_members (
    conversation_id ${big} NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    joined_at ${big} NOT NULL,
    PRIMARY KEY (conversation_id, person_id)
  );
  CREATE INDEX conversation_members_person ON conversation_members (person_id, conversation_id);
  CREATE TABLE chat_messages (
    id ${id},
    conversation_id ${big} NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    sender_id TEXT NOT NULL,
    body TEXT NOT NULL,
    priority TEXT NOT NULL,
    addressed_to TEXT NOT NULL,
    sent_at ${big} NOT NULL,
    escalate_at ${big},
    escalation_alert_id ${big}
  );
  CREATE INDEX chat_messages_conversation ON chat_messages (conversation_id, id);
  CREATE INDEX chat_messages_escalate ON chat_messages (escalate_at);
  CREATE INDEX chat_messages_alert ON chat_messages (escalation_alert_id);
  CREATE TABLE chat_receipts (
    message_id ${big} NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    delivered_at ${big},
    read_at ${big},
    PRIMARY KEY (message_id, person_id)
  );
  CREATE INDEX chat_receipts_person ON chat_receipts (person_id, state);
`;

export const messaging: Migration = {
  version: 14,
  name: 'clinician messaging: conversations, members, messages, receipts',
  sqlite: tables('INTEGER PRIMARY KEY', 'INTEGER'),
  postgres: tables('BIGSERIAL PRIMARY KEY', 'BIGINT'),
};
