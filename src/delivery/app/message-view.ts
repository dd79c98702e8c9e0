import type { ChatMessage, Conversation } from '../../store/conversation-port.ts';

/** A conversation as clients see it (docs/websocket.md, `conversation` objects). */
export function conversationView(c: Conversation, nameOf: (id: string) => string | undefined) {
  return {
    id: c.id,
    subject: c.subject,
    patient: c.patient,
    createdBy: c.createdBy,
    updatedAt: c.updatedAt.toISOString(),
    members: c.members.map((m) => ({
      personId: m.personId,
      name: nameOf(m.personId) ?? m.personId,
      reason: m.reason,
    })),
  };
}

/** A message as clients see it, with every recipient's receipt (docs/websocket.md, `message` objects). */
export function messageView(m: ChatMessage, nameOf: (id: string) => string | undefined) {
  return {
    id: m.id,
    conversationId: m.conversationId,
    sender: { personId: m.senderId, name: nameOf(m.senderId) ?? m.senderId },
    body: m.body,
    priority: m.priority,
    addressedTo: m.addressedTo,
    sentAt: m.sentAt.toISOString(),
    escalationAlertId: m.escalationAlertId,
    receipts: m.receipts.map((r) => ({
      personId: r.personId,
      name: nameOf(r.personId) ?? r.personId,
      reason: r.reason,
      state: r.state,
      deliveredAt: r.deliveredAt?.toISOString() ?? null,
      readAt: r.readAt?.toISOString() ?? null,
    })),
  };
}
