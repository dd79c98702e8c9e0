import { describe, expect } from 'vitest';
import { type NewChatMessage, SWITCHBOARD_SENDER } from '../../../src/store/conversation-port.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

/** What every conversation store does (store/conversation-port.ts), run against each adapter. */
export function conversationsContract(makeStores: () => StoreFactory): void {
  describe(`conversation store (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    const at = (time: string) => new Date(`2026-11-22T${time}:00Z`);
    const message = (over: Partial<NewChatMessage> = {}): NewChatMessage => ({
      senderId: 'rn-day',
      body: 'Bed 401-A: K 2.9 after replacement, repeat?',
      priority: 'normal',
      addressedTo: 'on call for Hospitalist',
      recipients: [{ personId: 'p-one', reason: 'on call for Hospitalist, first call' }],
      sentAt: at('14:00'),
      ...over,
    });

    it('starts a conversation with its members, keeps it across a reopen, and lists it for each member', async ({
      store,
      stores,
    }) => {
      const { conversation, message: first } = await store.conversations.start({
        subject: 'Potassium 401-A',
        patient: { mrn: 'MRN77', name: 'DOE, JANE', where: '4W 401-A' },
        message: message(),
        senderReason: 'started the conversation',
      });
      expect(conversation.members.map((m) => [m.personId, m.reason])).toEqual([
        ['p-one', 'on call for Hospitalist, first call'],
        ['rn-day', 'started the conversation'],
      ]);
      expect(first.receipts).toMatchObject([{ personId: 'p-one', state: 'sent', deliveredAt: null }]);
      await store.close();
      store = await stores.open();
      const again = await store.conversations.get(conversation.id);
      expect(again?.patient).toEqual({ mrn: 'MRN77', name: 'DOE, JANE', where: '4W 401-A' });
      const mine = await store.conversations.forPerson('p-one');
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ unread: 1, last: { id: first.id, body: first.body } });
      expect(await store.conversations.forPerson('p-nobody')).toEqual([]);
    });

    it('moves receipts forward only, and a reply adds a member and lists messages oldest first', async ({
      store,
    }) => {
      const { conversation, message: first } = await store.conversations.start({
        subject: 'Question',
        patient: null,
        message: message(),
        senderReason: 'started the conversation',
      });
      await store.conversations.markReceipt(first.id, 'p-one', 'read', at('14:02'));
      const late = await store.conversations.markReceipt(first.id, 'p-one', 'delivered', at('14:03'));
      expect(late?.receipts[0]).toMatchObject({
        state: 'read',
        readAt: at('14:02'),
        deliveredAt: at('14:02'),
      });
      expect(
        await store.conversations.markReceipt(first.id, 'p-stranger', 'read', at('14:03')),
      ).toBeUndefined();

      const reply = await store.conversations.post(
        conversation.id,
        message({
          senderId: 'p-one',
          body: 'Yes, repeat at 16:00',
          addressedTo: 'reply',
          recipients: [
            { personId: 'rn-day', reason: 'in the conversation' },
            { personId: 'p-two', reason: 'on call for Hospitalist, second call' },
          ],
          sentAt: at('14:05'),
        }),
      );
      const list = await store.conversations.messages(conversation.id);
      expect(list.map((m) => m.id)).toEqual([first.id, reply.id]);
      expect((await store.conversations.get(conversation.id))?.members.map((m) => m.personId).sort()).toEqual(
        ['p-one', 'p-two', 'rn-day'],
      );
      expect(
        (await store.conversations.messages(conversation.id, { beforeId: reply.id })).map((m) => m.id),
      ).toEqual([first.id]);
      await expect(store.conversations.post(9999, message())).rejects.toThrow(/no conversation/);
    });

    it('hands out an unread urgent message once it is due, and not once everyone read it or it escalated', async ({
      store,
    }) => {
      const urgent = (sentAt: string, due: string) =>
        store.conversations.start({
          subject: 'Urgent',
          patient: null,
          message: message({ priority: 'urgent', sentAt: at(sentAt), escalateAt: at(due) }),
          senderReason: 'started the conversation',
        });
      const a = await urgent('14:00', '14:05');
      const b = await urgent('14:01', '14:06');
      expect(await store.conversations.nextEscalation()).toEqual(at('14:05'));
      expect(await store.conversations.overdue(at('14:04'), 10)).toEqual([]);
      await store.conversations.markReceipt(b.message.id, 'p-one', 'read', at('14:02'));
      const due = await store.conversations.overdue(at('14:10'), 10);
      expect(due.map((d) => [d.message.id, d.unreadBy])).toEqual([[a.message.id, ['p-one']]]);
      await store.conversations.markEscalated(a.message.id, 42);
      expect(await store.conversations.overdue(at('14:10'), 10)).toEqual([]);
      expect((await store.conversations.message(a.message.id))?.escalationAlertId).toBe(42);
      expect(await store.conversations.nextEscalation()).toBeUndefined();
    });

    it('keeps a notice from Switchboard itself (not a person), listed for its one recipient with a receipt', async ({
      store,
      stores,
    }) => {
      const { conversation, message: notice } = await store.conversations.start({
        subject: 'Handoff: Hospitalist',
        patient: null,
        message: message({
          senderId: SWITCHBOARD_SENDER,
          body: 'Handoff: you are on call for Hospitalist from 19:00.',
          addressedTo: 'Dr. One',
          recipients: [{ personId: 'p-one', reason: 'a notice from Switchboard' }],
        }),
        senderReason: 'sends notices, takes no replies',
      });
      await store.close();
      store = await stores.open();
      expect((await store.conversations.get(conversation.id))?.createdBy).toBe(SWITCHBOARD_SENDER);
      const [mine] = await store.conversations.forPerson('p-one');
      expect(mine).toMatchObject({
        unread: 1,
        conversation: { id: conversation.id, subject: 'Handoff: Hospitalist' },
        last: {
          id: notice.id,
          senderId: SWITCHBOARD_SENDER,
          receipts: [{ personId: 'p-one', state: 'sent' }],
        },
      });
      const read = await store.conversations.markReceipt(notice.id, 'p-one', 'read', at('14:01'));
      expect(read?.receipts).toMatchObject([{ personId: 'p-one', state: 'read', readAt: at('14:01') }]);
      expect((await store.conversations.forPerson('p-one'))[0].unread).toBe(0);
    });

    it('purges conversations idle since before the retention cutoff, with their messages', async ({
      store,
    }) => {
      const old = await store.conversations.start({
        subject: 'Old',
        patient: null,
        message: message({ sentAt: new Date('2025-01-01T00:00:00Z') }),
        senderReason: 'started the conversation',
      });
      await store.conversations.start({
        subject: 'New',
        patient: null,
        message: message(),
        senderReason: 'x',
      });
      expect(await store.conversations.purge(new Date('2026-01-01T00:00:00Z'))).toBe(1);
      expect(await store.conversations.get(old.conversation.id)).toBeUndefined();
      expect(await store.conversations.message(old.message.id)).toBeUndefined();
      expect((await store.conversations.forPerson('p-one')).map((s) => s.conversation.subject)).toEqual([
        'New',
      ]);
    });
  });
}
