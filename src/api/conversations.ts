import type { FastifyInstance, FastifyReply } from 'fastify';
import { conversationView, messageView } from '../delivery/app/message-view.ts';
import type { MessageTarget } from '../routing/messaging/addressing.ts';
import { MessagingError, type MessagingService, type Sent } from '../routing/messaging/messaging-service.ts';
import type { ChatPriority } from '../store/conversation-port.ts';
import { type ProblemKind, sendProblem } from './problem.ts';
import { idParams, problem } from './schemas.ts';

const priorities: ChatPriority[] = ['urgent', 'high', 'normal', 'low'];

const needs = (kind: string, key: string) => ({
  if: { properties: { kind: { const: kind } }, required: ['kind'] },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords, not a promise
  then: { required: [key] },
});

// One object with `kind` rather than oneOf: fastify's validator strips unknown keys per branch of a
// oneOf, which would leave every branch but one without its field.
const TARGET = {
  type: 'object',
  description:
    'Whom to message, resolved when it is sent: a person (`id`), whoever is on call for an `assignment` (the first call order with someone reachable), a care-team `role` or the nurse covering the patient (`coverage` with `role`; both need patientMrn), or a group (`id`)',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { type: 'string', enum: ['person', 'onCall', 'careTeam', 'coverage', 'group'] },
    id: { type: 'string', minLength: 1 },
    assignment: { type: 'string', minLength: 1 },
    role: { type: 'string', minLength: 1 },
  },
  allOf: [
    needs('person', 'id'),
    needs('group', 'id'),
    needs('onCall', 'assignment'),
    needs('careTeam', 'role'),
    needs('coverage', 'role'),
  ],
};

function object(properties: Record<string, unknown>, required: string[]) {
  return { type: 'object', additionalProperties: false, properties, required };
}

const body = { type: 'string', minLength: 1, maxLength: 4000 };
const priority = { type: 'string', enum: priorities, default: 'normal' };

const START_SCHEMA = {
  summary: 'Start a conversation: the recipients are resolved now, and the answer says who and why',
  tags: ['messaging'],
  body: object(
    {
      to: TARGET,
      body,
      priority,
      subject: { type: 'string', maxLength: 200 },
      patientMrn: { type: 'string', minLength: 1, description: 'the patient it is about, from the census' },
    },
    ['to', 'body'],
  ),
  response: {
    403: problem('The account is not linked to a person'),
    422: problem('Nobody could be found to send it to, or the patient is not in the census'),
  },
};

const REPLY_SCHEMA = {
  summary: 'Reply in a conversation: it goes to everyone else in it',
  tags: ['messaging'],
  params: idParams('conversation'),
  body: object({ body, priority }, ['body']),
  response: { 403: problem('Not in this conversation'), 404: problem('No such conversation') },
};

const REFUSALS: Record<MessagingError['code'], ProblemKind> = {
  'nobody-to-message': 'nobodyToMessage',
  'conversation-not-found': 'notFound',
  'message-not-found': 'notFound',
  'not-in-conversation': 'notInConversation',
  'unknown-patient': 'unknownPatient',
};

/** Clinicians' conversations (routing/messaging): start, reply, read, list. Only people may take part. */
export function conversationRoutes(
  app: FastifyInstance,
  deps: { messaging: MessagingService; nameOf: (id: string) => string | undefined },
): void {
  const view = (sent: Sent) => ({
    conversation: conversationView(sent.conversation, deps.nameOf),
    message: messageView(sent.message, deps.nameOf),
    recipients: sent.recipients,
    notes: sent.notes,
  });
  const person = (personId: string | undefined, reply: FastifyReply) => {
    if (personId) return personId;
    sendProblem(
      reply,
      403,
      'personRequired',
      'Not allowed',
      'only an account linked to a person can message',
    );
    return undefined;
  };
  const refuse = (err: unknown, reply: FastifyReply) => {
    if (!(err instanceof MessagingError)) throw err;
    const title = err.code === 'nobody-to-message' ? 'Nobody to send it to' : 'Not possible';
    const sent = sendProblem(reply, err.status, REFUSALS[err.code], title, err.message);
    return sent;
  };

  app.get(
    '/api/conversations',
    {
      config: { access: 'signed-in' },
      schema: { summary: 'My conversations, most recent first, with unread counts', tags: ['messaging'] },
    },
    async (req, reply) => {
      const me = person(req.user?.personId, reply);
      if (!me) return;
      const items = await deps.messaging.conversations(me);
      return {
        items: items.map((s) => ({
          conversation: conversationView(s.conversation, deps.nameOf),
          last: s.last ? messageView(s.last, deps.nameOf) : null,
          unread: s.unread,
        })),
      };
    },
  );

  app.post<{
    Body: { to: MessageTarget; body: string; priority: ChatPriority; subject?: string; patientMrn?: string };
  }>('/api/conversations', { config: { access: 'signed-in' }, schema: START_SCHEMA }, async (req, reply) => {
    const me = person(req.user?.personId, reply);
    if (!me) return;
    try {
      const sent = await deps.messaging.start(me, req.body);
      return reply.code(201).send(view(sent));
    } catch (err) {
      return refuse(err, reply);
    }
  });

  app.get<{ Params: { id: number } }>(
    '/api/conversations/:id',
    {
      config: { access: 'signed-in' },
      schema: {
        summary: 'One conversation with its messages and every receipt (audited)',
        tags: ['messaging'],
        params: idParams('conversation'),
        response: { 403: problem('Not in this conversation'), 404: problem('No such conversation') },
      },
    },
    async (req, reply) => {
      const me = person(req.user?.personId, reply);
      if (!me) return;
      try {
        const { conversation, messages } = await deps.messaging.open(me, req.params.id);
        return {
          conversation: conversationView(conversation, deps.nameOf),
          messages: messages.map((m) => messageView(m, deps.nameOf)),
        };
      } catch (err) {
        return refuse(err, reply);
      }
    },
  );

  app.post<{ Params: { id: number }; Body: { body: string; priority: ChatPriority } }>(
    '/api/conversations/:id/messages',
    { config: { access: 'signed-in' }, schema: REPLY_SCHEMA },
    async (req, reply) => {
      const me = person(req.user?.personId, reply);
      if (!me) return;
      try {
        return reply.code(201).send(view(await deps.messaging.reply(me, req.params.id, req.body)));
      } catch (err) {
        return refuse(err, reply);
      }
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/messages/:id/read',
    {
      config: { access: 'signed-in' },
      schema: {
        summary:
          'Mark a message to me read (the sender sees the receipt; an unread urgent message stops escalating)',
        tags: ['messaging'],
        params: idParams('message'),
        response: { 404: problem('No such message to this person') },
      },
    },
    async (req, reply) => {
      const me = person(req.user?.personId, reply);
      if (!me) return;
      try {
        return messageView(await deps.messaging.receipt(me, req.params.id, 'read'), deps.nameOf);
      } catch (err) {
        return refuse(err, reply);
      }
    },
  );
}
