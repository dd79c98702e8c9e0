/**
 * Clinicians messaging each other through the routing core. A message is addressed to a person, an
 * assignment's on-call, a care-team role or the nurse covering the conversation's patient, or a group,
 * and resolved when it is sent (routing/messaging/addressing.ts); it is stored before the sender hears
 * "sent", then pushed to each recipient's app. An urgent message that someone has not read within the
 * site's minutes becomes an alert to whoever has not read it, under the site's escalation policy, so it
 * pages and escalates exactly like an alert; reading it closes that alert. Switchboard itself can put a
 * notice into one person's app the same way (`notify`: a handoff notice); nobody can reply to it.
 */
import type { Logger } from 'pino';
import {
  type ChatMessage,
  type ChatPriority,
  type Conversation,
  type ConversationStore,
  type ConversationSummary,
  SWITCHBOARD_SENDER,
} from '../../store/conversation-port.ts';
import type { AuditLog } from '../../store/port.ts';
import type { AlertService } from '../alerts.ts';
import type { Clock } from '../clock.ts';
import type { PatientContext } from '../model.ts';
import { describeLocation } from '../patient-context.ts';
import type { EscalationPolicy } from '../rules/types.ts';
import type { MessageAddressing, MessageTarget } from './addressing.ts';

export interface MessagingSettings {
  /** An urgent message unread this long becomes an alert. */
  urgentUnreadMinutes: number;
  /** Conversations idle longer than this are deleted. */
  retentionDays: number;
}

/** How a message reaches a person's app: the clinician hub in src/delivery/app implements it. */
export interface MessagingDelivery {
  message(personId: string, conversation: Conversation, message: ChatMessage): void;
  receipt(personId: string, message: ChatMessage): void;
}

export class MessagingError extends Error {
  constructor(
    readonly code:
      | 'nobody-to-message'
      | 'conversation-not-found'
      | 'message-not-found'
      | 'not-in-conversation'
      | 'unknown-patient',
    message: string,
    readonly status: number,
    readonly notes: string[] = [],
  ) {
    super(message);
  }
}

export interface MessagingDeps {
  store: ConversationStore;
  addressing: MessageAddressing;
  audit: AuditLog;
  alerts: AlertService;
  /** The escalation policy unread urgent messages follow (messaging.urgentPolicy), if the site named one. */
  urgentPolicy: () => EscalationPolicy | undefined;
  /** The patient from the census, with where they lie now; never typed by hand. */
  patient: (mrn: string) => Promise<PatientContext | undefined>;
  nameOf: (personId: string) => string | undefined;
  settings: MessagingSettings;
  clock: Clock;
  log: Logger;
}

export interface SendInput {
  to: MessageTarget;
  body: string;
  priority?: ChatPriority;
  patientMrn?: string;
  subject?: string;
}

/** A notice from Switchboard to one person, such as the handoff notice before their shift. */
export interface NoticeInput {
  subject: string;
  body: string;
  /** Names the notice in the audit (a connector job's key, the same on every retry). */
  key?: string;
}

export interface Sent {
  conversation: Conversation;
  message: ChatMessage;
  /** Whom the message went to and why; the names are the directory's. */
  recipients: Array<{ personId: string; name: string; reason: string }>;
  notes: string[];
}

export class MessagingService {
  private readonly deliveries: MessagingDelivery[] = [];

  constructor(private readonly deps: MessagingDeps) {}

  deliverThrough(delivery: MessagingDelivery): void {
    this.deliveries.push(delivery);
  }

  /** Starts a conversation: resolves the target now, stores the message, then pushes it. */
  async start(senderId: string, input: SendInput): Promise<Sent> {
    const now = this.deps.clock.now();
    const patient = input.patientMrn ? await this.patientOrFail(input.patientMrn) : undefined;
    const addressed = await this.deps.addressing.resolve(input.to, { patient, at: now });
    const recipients = addressed.recipients.filter((r) => r.personId !== senderId);
    if (recipients.length === 0) {
      throw new MessagingError(
        'nobody-to-message',
        `nobody to send it to: ${addressed.notes.join('; ') || `${addressed.addressedTo} is only you`}`,
        422,
        addressed.notes,
      );
    }
    const priority = input.priority ?? 'normal';
    const { conversation, message } = await this.deps.store.start({
      subject: input.subject?.trim() || capitalized(addressed.addressedTo),
      patient: patient
        ? {
            mrn: patient.mrn,
            name: patient.name,
            where: patient.location ? describeLocation(patient.location) : undefined,
          }
        : null,
      senderReason: 'started the conversation',
      message: {
        senderId,
        body: input.body,
        priority,
        addressedTo: addressed.addressedTo,
        recipients,
        sentAt: now,
        escalateAt: this.escalateAt(priority, now),
      },
    });
    await this.sent(senderId, conversation, message);
    return { conversation, message, recipients: this.named(recipients), notes: addressed.notes };
  }

  /**
   * A notice from Switchboard itself into one person's app: a conversation of its own whose sender is
   * Switchboard (SWITCHBOARD_SENDER), stored before this resolves, then pushed to the person's devices
   * and audited like a clinician's message. It takes no replies; receipts are kept as for any message.
   */
  async notify(personId: string, input: NoticeInput): Promise<Sent> {
    const name = this.deps.nameOf(personId);
    if (name === undefined)
      throw new MessagingError('nobody-to-message', `nobody ${personId} in the directory`, 422);
    const now = this.deps.clock.now();
    const recipients = [{ personId, reason: 'a notice from Switchboard' }];
    const { conversation, message } = await this.deps.store.start({
      subject: input.subject,
      patient: null,
      senderReason: 'sends notices, takes no replies',
      message: {
        senderId: SWITCHBOARD_SENDER,
        body: input.body,
        priority: 'normal',
        addressedTo: name,
        recipients,
        sentAt: now,
      },
    });
    await this.deps.audit.record({
      at: now,
      actor: 'system',
      action: 'message.send',
      subject: `conversation:${conversation.id}`,
      detail: `Switchboard notice ${message.id} to ${personId}${input.key ? ` (${input.key})` : ''}`,
    });
    for (const d of this.deliveries) d.message(personId, conversation, message);
    return { conversation, message, recipients: this.named(recipients), notes: [] };
  }

  /** A reply goes to everyone else in the conversation; a notice from Switchboard takes none. */
  async reply(
    senderId: string,
    conversationId: number,
    input: { body: string; priority?: ChatPriority },
  ): Promise<Sent> {
    const conversation = await this.memberOf(senderId, conversationId);
    if (conversation.createdBy === SWITCHBOARD_SENDER)
      throw new MessagingError('nobody-to-message', 'a notice from Switchboard takes no replies', 422);
    const recipients = conversation.members
      .filter((m) => m.personId !== senderId)
      .map((m) => ({ personId: m.personId, reason: `in the conversation (${m.reason})` }));
    if (recipients.length === 0)
      throw new MessagingError('nobody-to-message', 'nobody else is in this conversation', 422);
    const now = this.deps.clock.now();
    const priority = input.priority ?? 'normal';
    const message = await this.deps.store.post(conversationId, {
      senderId,
      body: input.body,
      priority,
      addressedTo: 'reply',
      recipients,
      sentAt: now,
      escalateAt: this.escalateAt(priority, now),
    });
    const fresh = (await this.deps.store.get(conversationId)) ?? conversation;
    await this.sent(senderId, fresh, message);
    return { conversation: fresh, message, recipients: this.named(recipients), notes: [] };
  }

  /** A device has the message (`delivered`) or showed it (`read`); the sender's devices hear of it. */
  async receipt(personId: string, messageId: number, state: 'delivered' | 'read'): Promise<ChatMessage> {
    const message = await this.deps.store.markReceipt(messageId, personId, state, this.deps.clock.now());
    if (!message) throw new MessagingError('message-not-found', `no message ${messageId} to you`, 404);
    if (state === 'read') {
      await this.deps.audit.record({
        at: this.deps.clock.now(),
        actor: personId,
        action: 'message.read',
        subject: `message:${messageId}`,
      });
      // An urgent message that became an alert: once everyone has read it, that alert is done.
      if (message.escalationAlertId !== null && message.receipts.every((r) => r.state === 'read')) {
        await this.deps.alerts.close(
          message.escalationAlertId,
          `the message was read by ${this.name(personId)}`,
        );
      }
    }
    // Switchboard's notices have no sender's devices to tell.
    if (message.senderId !== SWITCHBOARD_SENDER)
      for (const d of this.deliveries) d.receipt(message.senderId, message);
    return message;
  }

  async conversations(personId: string): Promise<ConversationSummary[]> {
    return this.deps.store.forPerson(personId, { limit: 100 });
  }

  /** One conversation with its messages, for a member; every view is audited. */
  async open(
    personId: string,
    conversationId: number,
  ): Promise<{ conversation: Conversation; messages: ChatMessage[] }> {
    const conversation = await this.memberOf(personId, conversationId);
    await this.deps.audit.record({
      at: this.deps.clock.now(),
      actor: personId,
      action: 'conversation.view',
      subject: `conversation:${conversationId}`,
    });
    return { conversation, messages: await this.deps.store.messages(conversationId, { limit: 200 }) };
  }

  /**
   * Turns each urgent message unread past its time into an alert to whoever has not read it; returns how
   * many. The alert pages like any other (app and pager) and escalates under the site's policy.
   */
  async escalateOverdue(): Promise<number> {
    const overdue = await this.deps.store.overdue(this.deps.clock.now(), 50);
    for (const { message, conversation, unreadBy } of overdue) {
      const from = this.name(message.senderId);
      const minutes = this.deps.settings.urgentUnreadMinutes;
      const alert = await this.deps.alerts.raise({
        messageId: null,
        source: 'message',
        ruleId: 'urgent-message-unread',
        title: `Unread urgent message from ${from}`,
        body: message.body,
        priority: 'urgent',
        patient: conversation.patient
          ? { mrn: conversation.patient.mrn, name: conversation.patient.name }
          : undefined,
        recipients: unreadBy.map((id) => ({
          kind: 'person' as const,
          id,
          at: { file: 'message', key: 'to' },
        })),
        policy: this.deps.urgentPolicy(),
        context: { conversationId: conversation.id, chatMessageId: message.id },
        reasons: [`urgent message ${message.id} from ${from} not read within ${minutes} minutes`],
      });
      await this.deps.store.markEscalated(message.id, alert.id);
    }
    return overdue.length;
  }

  nextEscalation(): Promise<Date | undefined> {
    return this.deps.store.nextEscalation();
  }

  /** Deletes conversations idle past the retention period. */
  async purge(): Promise<number> {
    const cutoff = new Date(this.deps.clock.now().getTime() - this.deps.settings.retentionDays * 86_400_000);
    return this.deps.store.purge(cutoff);
  }

  private escalateAt(priority: ChatPriority, now: Date): Date | undefined {
    if (priority !== 'urgent') return undefined;
    return new Date(now.getTime() + this.deps.settings.urgentUnreadMinutes * 60_000);
  }

  private async sent(senderId: string, conversation: Conversation, message: ChatMessage): Promise<void> {
    await this.deps.audit.record({
      at: message.sentAt,
      actor: senderId,
      action: 'message.send',
      subject: `conversation:${conversation.id}`,
      detail: `message ${message.id} to ${message.receipts.map((r) => r.personId).join(', ')}`,
    });
    for (const r of message.receipts)
      for (const d of this.deliveries) d.message(r.personId, conversation, message);
    // The sender's other devices show the message too.
    for (const d of this.deliveries) d.message(senderId, conversation, message);
  }

  private async memberOf(personId: string, conversationId: number): Promise<Conversation> {
    const conversation = await this.deps.store.get(conversationId);
    if (!conversation)
      throw new MessagingError('conversation-not-found', `no conversation ${conversationId}`, 404);
    if (!conversation.members.some((m) => m.personId === personId))
      throw new MessagingError('not-in-conversation', 'you are not in this conversation', 403);
    return conversation;
  }

  private async patientOrFail(mrn: string): Promise<PatientContext> {
    const patient = await this.deps.patient(mrn);
    if (!patient) throw new MessagingError('unknown-patient', `no patient ${mrn} in the census`, 422);
    return patient;
  }

  private name(personId: string): string {
    return this.deps.nameOf(personId) ?? personId;
  }

  private named(list: ReadonlyArray<{ personId: string; reason: string }>) {
    return list.map((r) => ({ personId: r.personId, name: this.name(r.personId), reason: r.reason }));
  }
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
