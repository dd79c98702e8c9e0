import type {
  ChatMessage,
  Conversation,
  ConversationPatient,
  ConversationStore,
  ConversationSummary,
  NewChatMessage,
  OverdueMessage,
  ReceiptState,
} from '../conversation-port.ts';
import {
  type ConversationRow,
  conversationOf,
  type MemberRow,
  type MessageRow,
  messageOf,
  type ReceiptRow,
} from '../conversation-rows.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

const rank: Record<ReceiptState, number> = { sent: 0, delivered: 1, read: 2 };

/**
 * Conversations in SQLite. A new message (with its receipts, and its members joining) is one durable
 * write: the sender hears "sent" only once it is on the disk. Receipts are derived state, written at once
 * and flushed with the next commit.
 */
export class SqliteConversationStore implements ConversationStore {
  private readonly insertConversation;
  private readonly touchConversation;
  private readonly insertMember;
  private readonly insertMessage;
  private readonly insertReceipt;
  private readonly conversationById;
  private readonly membersOf;
  private readonly messageById;
  private readonly receiptsOf;
  private readonly updateReceipt;
  private readonly clearEscalation;
  private readonly setEscalated;

  constructor(
    private readonly db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.insertConversation = db.prepare(
      `INSERT INTO conversations (subject, patient, patient_mrn, created_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.touchConversation = db.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?');
    this.insertMember = db.prepare(
      `INSERT INTO conversation_members (conversation_id, person_id, reason, joined_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (conversation_id, person_id) DO NOTHING`,
    );
    this.insertMessage = db.prepare(
      `INSERT INTO chat_messages (conversation_id, sender_id, body, priority, addressed_to, sent_at, escalate_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertReceipt = db.prepare(
      `INSERT INTO chat_receipts (message_id, person_id, reason, state) VALUES (?, ?, ?, 'sent')`,
    );
    this.conversationById = db.prepare('SELECT * FROM conversations WHERE id = ?');
    this.membersOf = db.prepare(
      'SELECT person_id, reason, joined_at FROM conversation_members WHERE conversation_id = ? ORDER BY joined_at, person_id',
    );
    this.messageById = db.prepare('SELECT * FROM chat_messages WHERE id = ?');
    this.receiptsOf = db.prepare('SELECT * FROM chat_receipts WHERE message_id = ? ORDER BY person_id');
    this.updateReceipt = db.prepare(
      `UPDATE chat_receipts SET state = ?, delivered_at = COALESCE(delivered_at, ?), read_at = ?
       WHERE message_id = ? AND person_id = ?`,
    );
    // Everyone has read it: nothing left to escalate.
    this.clearEscalation = db.prepare(
      `UPDATE chat_messages SET escalate_at = NULL WHERE id = ? AND escalate_at IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM chat_receipts WHERE message_id = ? AND state <> 'read')`,
    );
    this.setEscalated = db.prepare(
      'UPDATE chat_messages SET escalate_at = NULL, escalation_alert_id = ? WHERE id = ?',
    );
  }

  async start(input: {
    subject: string;
    patient: ConversationPatient | null;
    message: NewChatMessage;
    senderReason: string;
  }): Promise<{ conversation: Conversation; message: ChatMessage }> {
    const { conversationId, messageId } = await this.commit.writeDurable(() => {
      const at = input.message.sentAt.getTime();
      const conversationId = Number(
        this.insertConversation.run(
          input.subject,
          input.patient ? JSON.stringify(input.patient) : null,
          input.patient?.mrn ?? null,
          input.message.senderId,
          at,
          at,
        ).lastInsertRowid,
      );
      this.insertMember.run(conversationId, input.message.senderId, input.senderReason, at);
      return { conversationId, messageId: this.addMessage(conversationId, input.message) };
    });
    return {
      conversation: (await this.get(conversationId))!,
      message: (await this.message(messageId))!,
    };
  }

  async post(conversationId: number, message: NewChatMessage): Promise<ChatMessage> {
    const id = await this.commit.writeDurable(() => {
      if (!this.conversationById.get(conversationId)) throw new Error(`no conversation ${conversationId}`);
      return this.addMessage(conversationId, message);
    });
    return (await this.message(id))!;
  }

  private addMessage(conversationId: number, m: NewChatMessage): number {
    const at = m.sentAt.getTime();
    const id = Number(
      this.insertMessage.run(
        conversationId,
        m.senderId,
        m.body,
        m.priority,
        m.addressedTo,
        at,
        m.escalateAt?.getTime() ?? null,
      ).lastInsertRowid,
    );
    for (const r of m.recipients) {
      this.insertReceipt.run(id, r.personId, r.reason);
      this.insertMember.run(conversationId, r.personId, r.reason, at);
    }
    this.touchConversation.run(at, conversationId);
    return id;
  }

  async get(id: number): Promise<Conversation | undefined> {
    const row = this.conversationById.get(id) as ConversationRow | undefined;
    return row ? this.toConversation(row) : undefined;
  }

  async message(id: number): Promise<ChatMessage | undefined> {
    const row = this.messageById.get(id) as MessageRow | undefined;
    return row ? this.toMessage(row) : undefined;
  }

  async messages(
    conversationId: number,
    options: { beforeId?: number; limit?: number } = {},
  ): Promise<ChatMessage[]> {
    const rows = this.db
      .prepare(`SELECT * FROM chat_messages WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?`)
      .all(conversationId, options.beforeId ?? Number.MAX_SAFE_INTEGER, options.limit ?? 100) as MessageRow[];
    return rows.reverse().map((r) => this.toMessage(r));
  }

  async forPerson(personId: string, options: { limit?: number } = {}): Promise<ConversationSummary[]> {
    const rows = this.db
      .prepare(
        `SELECT c.* FROM conversations c JOIN conversation_members m ON m.conversation_id = c.id
         WHERE m.person_id = ? ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`,
      )
      .all(personId, options.limit ?? 50) as ConversationRow[];
    const lastOf = this.db.prepare(
      'SELECT * FROM chat_messages WHERE conversation_id = ? ORDER BY id DESC LIMIT 1',
    );
    const unreadOf = this.db.prepare(
      `SELECT count(*) AS n FROM chat_receipts r JOIN chat_messages m ON m.id = r.message_id
       WHERE m.conversation_id = ? AND r.person_id = ? AND r.state <> 'read'`,
    );
    return rows.map((row) => {
      const last = lastOf.get(row.id) as MessageRow | undefined;
      return {
        conversation: this.toConversation(row),
        last: last ? this.toMessage(last) : null,
        unread: (unreadOf.get(row.id, personId) as { n: number }).n,
      };
    });
  }

  async markReceipt(
    messageId: number,
    personId: string,
    state: 'delivered' | 'read',
    at: Date,
  ): Promise<ChatMessage | undefined> {
    const changed = await this.commit.write(() => {
      const current = this.db
        .prepare('SELECT * FROM chat_receipts WHERE message_id = ? AND person_id = ?')
        .get(messageId, personId) as ReceiptRow | undefined;
      if (!current) return undefined;
      if (rank[state] <= rank[current.state as ReceiptState]) return false;
      const ms = at.getTime();
      this.updateReceipt.run(state, ms, state === 'read' ? ms : current.read_at, messageId, personId);
      if (state === 'read') this.clearEscalation.run(messageId, messageId);
      return true;
    });
    if (changed === undefined) return undefined;
    return this.message(messageId);
  }

  async overdue(now: Date, limit: number): Promise<OverdueMessage[]> {
    const rows = this.db
      .prepare(
        'SELECT * FROM chat_messages WHERE escalate_at IS NOT NULL AND escalate_at <= ? ORDER BY escalate_at, id LIMIT ?',
      )
      .all(now.getTime(), limit) as MessageRow[];
    const out: OverdueMessage[] = [];
    for (const row of rows) {
      const message = this.toMessage(row);
      const conversation = (await this.get(row.conversation_id))!;
      out.push({
        message,
        conversation,
        unreadBy: message.receipts.filter((r) => r.state !== 'read').map((r) => r.personId),
      });
    }
    return out;
  }

  async markEscalated(messageId: number, alertId: number): Promise<void> {
    await this.commit.write(() => this.setEscalated.run(alertId, messageId));
  }

  async nextEscalation(): Promise<Date | undefined> {
    const row = this.db
      .prepare('SELECT min(escalate_at) AS at FROM chat_messages WHERE escalate_at IS NOT NULL')
      .get() as { at: number | null };
    return row.at === null ? undefined : new Date(row.at);
  }

  async purge(cutoff: Date): Promise<number> {
    return this.commit.write(
      () => this.db.prepare('DELETE FROM conversations WHERE updated_at < ?').run(cutoff.getTime()).changes,
    );
  }

  private toConversation(row: ConversationRow): Conversation {
    return conversationOf(row, this.membersOf.all(row.id) as MemberRow[]);
  }

  private toMessage(row: MessageRow): ChatMessage {
    return messageOf(row, this.receiptsOf.all(row.id) as ReceiptRow[]);
  }
}
