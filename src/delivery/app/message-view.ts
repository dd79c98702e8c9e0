import { type ChatMessage, type Conversation, SWITCHBOARD_SENDER } from '../../store/conversation-port.ts';

type NameOf = (id: string) => string | undefined;

/** A person's name from the directory; Switchboard's own notices are signed "Switchboard". */
const nameIn = (id: string, nameOf: NameOf) =>
  id === SWITCHBOARD_SENDER ? 'Switchboard' : (nameOf(id) ?? id);

/** A conversation as clients see it (docs/websocket.md, `conversation` objects). */
export function conversationView(c: Conversation, nameOf: NameOf) {
  return {
    id: c.id,
    subject: c.subject,
    patient: c.patient,
    createdBy: c.createdBy,
    updatedAt: c.updatedAt.toISOString(),
    // false: a notice from Switchboard, which nobody can answer (a reply is refused).
    replies: c.createdBy !== SWITCHBOARD_SENDER,
    members: c.members.map((m) => ({
      personId: m.personId,
      name: nameIn(m.personId, nameOf),
      reason: m.reason,
    })),
  };
}

/** A message as clients see it, with every recipient's receipt (docs/websocket.md, `message` objects). */
export function messageView(m: ChatMessage, nameOf: NameOf) {
  return {
    id: m.id,
    conversationId: m.conversationId,
    // `kind` is new: clients older than it read personId and name, which stay.
    sender: {
      kind: m.senderId === SWITCHBOARD_SENDER ? ('switchboard' as const) : ('person' as const),
      personId: m.senderId,
      name: nameIn(m.senderId, nameOf),
    },
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
