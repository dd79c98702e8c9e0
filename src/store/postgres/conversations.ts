import type {
  ChatMessage,
  Conversation,
  ConversationPatient,
  ConversationStore,
  ConversationSummary,
  NewChatMessage,
  OverdueMessage,
} from '../conversation-port.ts';
import {
  type ConversationRow,
  conversationOf,
  type MemberRow,
  type MessageRow,
  messageOf,
  type ReceiptRow,
} from '../conversation-rows.ts';
import { inTransaction, type PgClient, type PgPool, type WritesInFlight } from './database.ts';

type Query = Pick<PgPool, 'query'> | PgClient;

/**
 * Conversations in PostgreSQL: a message, its receipts and its members joining commit in one transaction
 * (synchronous_commit on), so "sent" means on the primary's disk, as with SQLite. A receipt only moves
 * forward: the UPDATE's own condition says so, so two instances marking one receipt never undo each other.
 */
export class PostgresConversationStore implements ConversationStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
  ) {}

  async start(input: {
    subject: string;
    patient: ConversationPatient | null;
    message: NewChatMessage;
    senderReason: string;
  }): Promise<{ conversation: Conversation; message: ChatMessage }> {
    const ids = await this.writes.track(
      inTransaction(this.pool, async (client) => {
        const at = input.message.sentAt.getTime();
        const { rows } = await client.query<{ id: number }>(
          `INSERT INTO conversations (subject, patient, patient_mrn, created_by, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
          [
            input.subject,
            input.patient ? JSON.stringify(input.patient) : null,
            input.patient?.mrn ?? null,
            input.message.senderId,
            at,
          ],
        );
        const conversationId = rows[0]!.id;
        await this.join(client, conversationId, input.message.senderId, input.senderReason, at);
        return { conversationId, messageId: await this.addMessage(client, conversationId, input.message) };
      }),
    );
    return {
      conversation: (await this.get(ids.conversationId))!,
      message: (await this.message(ids.messageId))!,
    };
  }

  async post(conversationId: number, message: NewChatMessage): Promise<ChatMessage> {
    const id = await this.writes.track(
      inTransaction(this.pool, async (client) => {
        const found = await client.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [
          conversationId,
        ]);
        if (found.rowCount === 0) throw new Error(`no conversation ${conversationId}`);
        return this.addMessage(client, conversationId, message);
      }),
    );
    return (await this.message(id))!;
  }

  private async join(client: PgClient, conversationId: number, personId: string, reason: string, at: number) {
    await client.query(
      `INSERT INTO conversation_members (conversation_id, person_id, reason, joined_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (conversation_id, person_id) DO NOTHING`,
      [conversationId, personId, reason, at],
    );
  }

  private async addMessage(client: PgClient, conversationId: number, m: NewChatMessage): Promise<number> {
    const at = m.sentAt.getTime();
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO chat_messages (conversation_id, sender_id, body, priority, addressed_to, sent_at, escalate_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [conversationId, m.senderId, m.body, m.priority, m.addressedTo, at, m.escalateAt?.getTime() ?? null],
    );
    const id = rows[0]!.id;
    for (const r of m.recipients) {
      await client.query(
        `INSERT INTO chat_receipts (message_id, person_id, reason, state) VALUES ($1, $2, $3, 'sent')`,
        [id, r.personId, r.reason],
      );
      await this.join(client, conversationId, r.personId, r.reason, at);
    }
    await client.query('UPDATE conversations SET updated_at = $1 WHERE id = $2', [at, conversationId]);
    return id;
  }

  async get(id: number): Promise<Conversation | undefined> {
    const { rows } = await this.pool.query<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [
      id,
    ]);
    return rows[0] ? this.toConversation(this.pool, rows[0]) : undefined;
  }

  async message(id: number): Promise<ChatMessage | undefined> {
    const { rows } = await this.pool.query<MessageRow>('SELECT * FROM chat_messages WHERE id = $1', [id]);
    return rows[0] ? this.toMessage(this.pool, rows[0]) : undefined;
  }

  async messages(
    conversationId: number,
    options: { beforeId?: number; limit?: number } = {},
  ): Promise<ChatMessage[]> {
    const { rows } = await this.pool.query<MessageRow>(
      'SELECT * FROM chat_messages WHERE conversation_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3',
      [conversationId, options.beforeId ?? Number.MAX_SAFE_INTEGER, options.limit ?? 100],
    );
    const out: ChatMessage[] = [];
    for (const row of rows.reverse()) out.push(await this.toMessage(this.pool, row));
    return out;
  }

  async forPerson(personId: string, options: { limit?: number } = {}): Promise<ConversationSummary[]> {
    const { rows } = await this.pool.query<ConversationRow>(
      `SELECT c.* FROM conversations c JOIN conversation_members m ON m.conversation_id = c.id
       WHERE m.person_id = $1 ORDER BY c.updated_at DESC, c.id DESC LIMIT $2`,
      [personId, options.limit ?? 50],
    );
    const out: ConversationSummary[] = [];
    for (const row of rows) {
      const last = await this.pool.query<MessageRow>(
        'SELECT * FROM chat_messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT 1',
        [row.id],
      );
      const unread = await this.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM chat_receipts r JOIN chat_messages m ON m.id = r.message_id
         WHERE m.conversation_id = $1 AND r.person_id = $2 AND r.state <> 'read'`,
        [row.id, personId],
      );
      out.push({
        conversation: await this.toConversation(this.pool, row),
        last: last.rows[0] ? await this.toMessage(this.pool, last.rows[0]) : null,
        unread: unread.rows[0]!.n,
      });
    }
    return out;
  }

  async markReceipt(
    messageId: number,
    personId: string,
    state: 'delivered' | 'read',
    at: Date,
  ): Promise<ChatMessage | undefined> {
    const exists = await this.writes.track(
      inTransaction(this.pool, async (client) => {
        const ms = at.getTime();
        const found = await client.query(
          'SELECT 1 FROM chat_receipts WHERE message_id = $1 AND person_id = $2',
          [messageId, personId],
        );
        if (found.rowCount === 0) return false;
        const forward = state === 'read' ? "state <> 'read'" : "state = 'sent'";
        await client.query(
          `UPDATE chat_receipts SET state = $1, delivered_at = COALESCE(delivered_at, $2),
             read_at = CASE WHEN $1 = 'read' THEN $2 ELSE read_at END
           WHERE message_id = $3 AND person_id = $4 AND ${forward}`,
          [state, ms, messageId, personId],
        );
        if (state === 'read') {
          await client.query(
            `UPDATE chat_messages SET escalate_at = NULL WHERE id = $1 AND escalate_at IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM chat_receipts WHERE message_id = $1 AND state <> 'read')`,
            [messageId],
          );
        }
        return true;
      }),
    );
    return exists ? this.message(messageId) : undefined;
  }

  async overdue(now: Date, limit: number): Promise<OverdueMessage[]> {
    const { rows } = await this.pool.query<MessageRow>(
      `SELECT * FROM chat_messages WHERE escalate_at IS NOT NULL AND escalate_at <= $1
       ORDER BY escalate_at, id LIMIT $2`,
      [now.getTime(), limit],
    );
    const out: OverdueMessage[] = [];
    for (const row of rows) {
      const message = await this.toMessage(this.pool, row);
      out.push({
        message,
        conversation: (await this.get(row.conversation_id))!,
        unreadBy: message.receipts.filter((r) => r.state !== 'read').map((r) => r.personId),
      });
    }
    return out;
  }

  async markEscalated(messageId: number, alertId: number): Promise<void> {
    await this.writes.track(
      this.pool.query('UPDATE chat_messages SET escalate_at = NULL, escalation_alert_id = $1 WHERE id = $2', [
        alertId,
        messageId,
      ]),
    );
  }

  async nextEscalation(): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ at: number | null }>(
      'SELECT min(escalate_at) AS at FROM chat_messages WHERE escalate_at IS NOT NULL',
    );
    return rows[0]?.at == null ? undefined : new Date(rows[0].at);
  }

  async purge(cutoff: Date): Promise<number> {
    const result = await this.writes.track(
      this.pool.query('DELETE FROM conversations WHERE updated_at < $1', [cutoff.getTime()]),
    );
    return result.rowCount ?? 0;
  }

  private async toConversation(q: Query, row: ConversationRow): Promise<Conversation> {
    const { rows } = await q.query<MemberRow>(
      'SELECT person_id, reason, joined_at FROM conversation_members WHERE conversation_id = $1 ORDER BY joined_at, person_id',
      [row.id],
    );
    return conversationOf(row, rows);
  }

  private async toMessage(q: Query, row: MessageRow): Promise<ChatMessage> {
    const { rows } = await q.query<ReceiptRow>(
      'SELECT * FROM chat_receipts WHERE message_id = $1 ORDER BY person_id',
      [row.id],
    );
    return messageOf(row, rows);
  }
}
