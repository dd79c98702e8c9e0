/**
 * The rows of the conversation tables (migration 014) and how they become the port's records: one
 * reading for the SQLite and PostgreSQL adapters (both store epoch milliseconds and the patient as JSON).
 */
import type {
  ChatMessage,
  ChatPriority,
  Conversation,
  ConversationPatient,
  ReceiptState,
} from './conversation-port.ts';

export interface ConversationRow {
  id: number;
  subject: string;
  patient: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface MemberRow {
  person_id: string;
  reason: string;
  joined_at: number;
}

export interface MessageRow {
  id: number;
  conversation_id: number;
  sender_id: string;
  body: string;
  priority: string;
  addressed_to: string;
  sent_at: number;
  escalation_alert_id: number | null;
}

export interface ReceiptRow {
  message_id: number;
  person_id: string;
  reason: string;
  state: string;
  delivered_at: number | null;
  read_at: number | null;
}

const orNull = (ms: number | null) => (ms === null ? null : new Date(ms));

export function conversationOf(row: ConversationRow, members: readonly MemberRow[]): Conversation {
  return {
    id: row.id,
    subject: row.subject,
    patient: row.patient ? (JSON.parse(row.patient) as ConversationPatient) : null,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    members: members.map((m) => ({
      personId: m.person_id,
      reason: m.reason,
      joinedAt: new Date(m.joined_at),
    })),
  };
}

export function messageOf(row: MessageRow, receipts: readonly ReceiptRow[]): ChatMessage {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    senderId: row.sender_id,
    body: row.body,
    priority: row.priority as ChatPriority,
    addressedTo: row.addressed_to,
    sentAt: new Date(row.sent_at),
    escalationAlertId: row.escalation_alert_id,
    receipts: receipts.map((r) => ({
      personId: r.person_id,
      reason: r.reason,
      state: r.state as ReceiptState,
      deliveredAt: orNull(r.delivered_at),
      readAt: orNull(r.read_at),
    })),
  };
}
