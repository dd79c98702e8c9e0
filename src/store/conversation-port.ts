/**
 * Clinicians' messages to each other: a conversation (optionally about one patient) between people, its
 * messages, and a receipt per recipient (sent → delivered → read, never backwards). A message is stored
 * before its sender is told "sent". An urgent message carries the time it escalates if someone has not
 * read it by then (the routing core raises an alert with the site's policy; see routing/messaging).
 */

export type ChatPriority = 'urgent' | 'high' | 'normal' | 'low';

/**
 * The sender (and creator) of Switchboard's own notices to a person, such as a handoff notice: not a
 * person. A directory id starts with a letter or a digit, so this one can never be somebody's. A
 * conversation it started takes no replies (there is nobody to read them).
 */
export const SWITCHBOARD_SENDER = '@switchboard';

export type ReceiptState = 'sent' | 'delivered' | 'read';

/** The patient a conversation is about, as the census knew them when it started. */
export interface ConversationPatient {
  mrn: string;
  name?: string;
  where?: string;
}

export interface ConversationMember {
  personId: string;
  /** Why this person is in it: "on call for Cardiology, first call", "started the conversation". */
  reason: string;
  joinedAt: Date;
}

export interface Conversation {
  id: number;
  subject: string;
  patient: ConversationPatient | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  members: ConversationMember[];
}

export interface Receipt {
  personId: string;
  /** Why this person received the message (the resolution at send time). */
  reason: string;
  state: ReceiptState;
  deliveredAt: Date | null;
  readAt: Date | null;
}

export interface ChatMessage {
  id: number;
  conversationId: number;
  /** A person's directory id, or SWITCHBOARD_SENDER for a notice from Switchboard itself. */
  senderId: string;
  body: string;
  priority: ChatPriority;
  /** What the sender addressed, in words ("on call for Cardiology"); for a reply, "reply". */
  addressedTo: string;
  sentAt: Date;
  receipts: Receipt[];
  /** The alert an unread urgent message raised, if it did. */
  escalationAlertId: number | null;
}

export interface NewChatMessage {
  senderId: string;
  body: string;
  priority: ChatPriority;
  addressedTo: string;
  recipients: ReadonlyArray<{ personId: string; reason: string }>;
  sentAt: Date;
  /** Urgent messages: when to escalate if a recipient has not read it by then. */
  escalateAt?: Date;
}

export interface ConversationSummary {
  conversation: Conversation;
  last: ChatMessage | null;
  /** Messages to this person they have not read. */
  unread: number;
}

/** An urgent message past its escalation time that someone has still not read. */
export interface OverdueMessage {
  message: ChatMessage;
  conversation: Conversation;
  unreadBy: string[];
}

export interface ConversationStore {
  /** Starts a conversation with its first message; members are the sender and the recipients. */
  start(input: {
    subject: string;
    patient: ConversationPatient | null;
    message: NewChatMessage;
    senderReason: string;
  }): Promise<{ conversation: Conversation; message: ChatMessage }>;
  /** Adds a message to a conversation; recipients not yet members join it. */
  post(conversationId: number, message: NewChatMessage): Promise<ChatMessage>;
  get(id: number): Promise<Conversation | undefined>;
  message(id: number): Promise<ChatMessage | undefined>;
  /** Oldest first; `beforeId` pages back from the newest. */
  messages(conversationId: number, options?: { beforeId?: number; limit?: number }): Promise<ChatMessage[]>;
  /** A person's conversations, most recently active first. */
  forPerson(personId: string, options?: { limit?: number }): Promise<ConversationSummary[]>;
  /** Moves a receipt forward (never back); undefined when the person did not receive the message. */
  markReceipt(
    messageId: number,
    personId: string,
    state: 'delivered' | 'read',
    at: Date,
  ): Promise<ChatMessage | undefined>;
  /** Urgent messages whose escalation time has come and that someone has not read, oldest first. */
  overdue(now: Date, limit: number): Promise<OverdueMessage[]>;
  /** Records that an overdue message raised `alertId` (it is not escalated again). */
  markEscalated(messageId: number, alertId: number): Promise<void>;
  /** The earliest pending escalation time, to wake up then. */
  nextEscalation(): Promise<Date | undefined>;
  /** Deletes conversations with no message since `cutoff` (retention); returns how many. */
  purge(cutoff: Date): Promise<number>;
}
