import { describe, expect } from 'vitest';
import type { EscalationTimer, NewAlert } from '../../../src/store/alert-port.ts';
import type { NewDelivery } from '../../../src/store/outbox-port.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

const t0 = new Date('2026-11-22T12:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

export const newAlert = (over: Partial<NewAlert> = {}): NewAlert => ({
  messageId: null,
  source: 'hl7',
  ruleId: 'critical-lab',
  title: 'Critical potassium',
  body: 'K 6.9 mmol/L',
  priority: 'urgent',
  patient: { name: 'Aalto, Test', mrn: '100' },
  dedupKey: null,
  context: { wctpMessageId: 'w-1' },
  createdAt: t0,
  ...over,
});

export const firstTimer = (dueAt: Date): Omit<EscalationTimer, 'alertId'> => ({
  policy: { id: 'lab', steps: [{ delayMinutes: 0 }, { delayMinutes: 5 }] },
  ruleRecipients: [{ personId: 'p-one' }],
  nextStep: 0,
  pass: 0,
  dueAt,
});

const page = (target: string, over: Partial<NewDelivery> = {}): NewDelivery => ({
  channel: 'page',
  target,
  payload: { text: 'K 6.9' },
  alertId: null,
  ...over,
});

/** What every alert store does (store/alert-port.ts), run against each adapter. */
export function alertsContract(makeStores: () => StoreFactory): void {
  describe(`alert store (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('creates an alert with its first timer and its notices in one write, kept across a reopen', async ({
      store,
      stores,
    }) => {
      const heard: string[] = [];
      store.outbox.onCommitted((channels) => heard.push(...channels));
      const alert = await store.alerts.create(
        newAlert({ messageId: 5, dedupKey: 'k-1' }),
        firstTimer(at(60)),
        (a) => [page('metro:617-555-0101', { alertId: a.id, onceKey: `created:${a.id}` })],
      );
      expect(alert).toMatchObject({
        status: 'open',
        acknowledgedBy: null,
        acknowledgedAt: null,
        messageId: 5,
      });
      await store.durable();
      await store.close();
      store = await stores.open();
      expect(await store.alerts.get(alert.id)).toEqual(alert);
      expect(await store.alerts.forMessage(5)).toEqual([alert]);
      expect(await store.alerts.timer(alert.id)).toEqual({ ...firstTimer(at(60)), alertId: alert.id });
      expect((await store.outbox.list({ alertId: alert.id })).map((d) => d.target)).toEqual([
        'metro:617-555-0101',
      ]);
      expect(heard).toContain('page');
      expect(await store.alerts.hasDedupKey('k-1')).toBe(true);
      expect(await store.alerts.hasDedupKey('k-2')).toBe(false);
    });

    it('finds the newest open alert by dedup key and lists by person, status and time', async ({ store }) => {
      const a = await store.alerts.create(newAlert({ dedupKey: 'bed-401', createdAt: at(0) }));
      const b = await store.alerts.create(newAlert({ dedupKey: 'bed-401', createdAt: at(10) }));
      expect((await store.alerts.findOpenByDedupKey('bed-401', at(0)))?.id).toBe(b.id);
      await store.alerts.update(b.id, { status: 'closed' }, at(20));
      expect((await store.alerts.findOpenByDedupKey('bed-401', at(0)))?.id).toBe(a.id);
      expect(await store.alerts.findOpenByDedupKey('bed-401', at(5))).toBeUndefined();
      await store.alerts.addRecipient({
        alertId: a.id,
        personId: 'p-one',
        state: 'queued',
        step: 0,
        reason: 'on call',
        notifiedAt: at(1),
      });
      expect((await store.alerts.list({ personId: 'p-one' })).map((x) => x.id)).toEqual([a.id]);
      expect((await store.alerts.list({ status: 'closed' })).map((x) => x.id)).toEqual([b.id]);
      expect((await store.alerts.list({ since: at(5) })).map((x) => x.id)).toEqual([b.id]);
      expect((await store.alerts.list({})).map((x) => x.id)).toEqual([b.id, a.id]);
    });

    it('updates an alert and writes the notices the change causes with it', async ({ store }) => {
      const a = await store.alerts.create(newAlert());
      await store.alerts.update(
        a.id,
        {
          status: 'acknowledged',
          acknowledgedBy: 'p-one',
          acknowledgedAt: at(30),
          context: { choice: 'OK' },
        },
        at(30),
        [page('wctp:nursecall', { channel: 'wctp-status', alertId: a.id })],
      );
      expect(await store.alerts.get(a.id)).toMatchObject({
        status: 'acknowledged',
        acknowledgedBy: 'p-one',
        acknowledgedAt: at(30),
        updatedAt: at(30),
        context: { choice: 'OK' },
      });
      expect((await store.outbox.list({ channel: 'wctp-status' })).length).toBe(1);
    });

    it('keeps recipients once each, with states, a timeline and their notices', async ({ store }) => {
      const a = await store.alerts.create(newAlert());
      const recipient = {
        alertId: a.id,
        personId: 'p-one',
        state: 'queued' as const,
        step: 0,
        reason: 'first call',
        notifiedAt: at(1),
      };
      const event = { alertId: a.id, at: at(1), kind: 'notified', personId: 'p-one', detail: 'first call' };
      expect(
        await store.alerts.notified({ recipient, event, notices: [page('metro:1', { alertId: a.id })] }),
      ).toBe(true);
      expect(await store.alerts.notified({ recipient, notices: [page('metro:1', { alertId: a.id })] })).toBe(
        false,
      );
      expect(await store.alerts.addRecipient({ ...recipient, personId: 'p-two', notifiedAt: at(2) })).toBe(
        true,
      );
      expect(await store.alerts.addRecipient({ ...recipient, personId: 'p-two' })).toBe(false);
      await store.alerts.setRecipientState(a.id, 'p-one', 'accepted', at(5), [
        page('pcd:reporter', { channel: 'pcd-status', alertId: a.id }),
      ]);
      await store.alerts.addEvent({
        alertId: a.id,
        at: at(5),
        kind: 'accepted',
        personId: 'p-one',
        detail: '',
      });
      const recipients = await store.alerts.recipients(a.id);
      expect(recipients.map((r) => [r.personId, r.state])).toEqual([
        ['p-one', 'accepted'],
        ['p-two', 'queued'],
      ]);
      expect(recipients[0].updatedAt).toEqual(at(5));
      expect((await store.alerts.timeline(a.id)).map((e) => e.kind)).toEqual(['notified', 'accepted']);
      expect((await store.outbox.list({ alertId: a.id })).map((d) => d.channel).sort()).toEqual([
        'page',
        'page',
        'pcd-status',
      ]);
      const mine = await store.alerts.forPerson('p-one', {});
      expect(mine.map((x) => [x.id, x.myState])).toEqual([[a.id, 'accepted']]);
      await store.alerts.update(a.id, { status: 'closed' }, at(9));
      expect(await store.alerts.forPerson('p-one', {})).toEqual([]);
      expect((await store.alerts.forPerson('p-one', { includeClosed: true })).length).toBe(1);
    });

    it('keeps escalation timers: set, replace, due in order, the next one, cleared', async ({ store }) => {
      const a = await store.alerts.create(newAlert(), firstTimer(at(60)));
      const b = await store.alerts.create(newAlert(), firstTimer(at(30)));
      expect(await store.alerts.nextTimerDue()).toEqual(at(30));
      expect(await store.alerts.nextTimerDue(at(30))).toEqual(at(60));
      expect(await store.alerts.nextTimerDue(at(60))).toBeUndefined();
      expect(await store.alerts.dueTimers(at(10), 10)).toEqual([]);
      expect((await store.alerts.dueTimers(at(60), 10)).map((t) => t.alertId)).toEqual([b.id, a.id]);
      await store.alerts.setTimer({ ...firstTimer(at(300)), alertId: b.id, nextStep: 1 });
      expect(await store.alerts.timer(b.id)).toMatchObject({ nextStep: 1, dueAt: at(300) });
      await store.alerts.clearTimer(a.id);
      expect(await store.alerts.timer(a.id)).toBeUndefined();
      expect((await store.alerts.dueTimers(at(300), 10)).map((t) => t.alertId)).toEqual([b.id]);
      await store.alerts.clearTimer(b.id);
      expect(await store.alerts.nextTimerDue()).toBeUndefined();
    });

    it('writes a step whole: its people, timeline and pages with the timer moved or cleared', async ({
      store,
    }) => {
      const a = await store.alerts.create(newAlert(), firstTimer(at(0)));
      const [due] = await store.alerts.dueTimers(at(0), 10);
      const notified = (personId: string, second: number) => ({
        recipient: {
          alertId: a.id,
          personId,
          state: 'queued' as const,
          step: 1,
          reason: 'second call',
          notifiedAt: at(second),
        },
        event: { alertId: a.id, at: at(second), kind: 'notified', personId, detail: 'second call' },
        notices: [page(`metro:${personId}`, { alertId: a.id })],
      });
      await store.alerts.stepRan({
        alertId: a.id,
        writes: [
          { event: { alertId: a.id, at: at(1), kind: 'escalated', personId: null, detail: 'step 2' } },
          notified('p-two', 1),
          notified('p-three', 1),
        ],
        next: { ...due, nextStep: 2, dueAt: at(301) },
      });
      expect((await store.alerts.timeline(a.id)).map((e) => [e.kind, e.personId])).toEqual([
        ['escalated', null],
        ['notified', 'p-two'],
        ['notified', 'p-three'],
      ]);
      expect((await store.alerts.recipients(a.id)).map((r) => r.personId).sort()).toEqual([
        'p-three',
        'p-two',
      ]);
      expect((await store.outbox.list({ alertId: a.id })).map((d) => d.target).sort()).toEqual([
        'metro:p-three',
        'metro:p-two',
      ]);
      expect(await store.alerts.timer(a.id)).toMatchObject({ nextStep: 2, dueAt: at(301) });
      // Another instance finds nothing due until the moved time.
      expect(await store.alerts.dueTimers(at(300), 10)).toEqual([]);

      await store.alerts.stepRan({
        alertId: a.id,
        writes: [
          { event: { alertId: a.id, at: at(302), kind: 'failsafe', personId: null, detail: 'nobody' } },
        ],
      });
      expect(await store.alerts.timer(a.id)).toBeUndefined();
      expect((await store.alerts.timeline(a.id)).at(-1)).toMatchObject({ kind: 'failsafe' });
    });

    it('collects batches until their window closes, then hands each over once', async ({ store }) => {
      await store.alerts.addToBatch('digest:4W', 'low-priority', at(300), { n: 1 });
      const second = await store.alerts.addToBatch('digest:4W', 'low-priority', at(999), { n: 2 });
      expect(second).toEqual({
        key: 'digest:4W',
        ruleId: 'low-priority',
        dueAt: at(300),
        items: [{ n: 1 }, { n: 2 }],
      });
      expect(await store.alerts.takeDueBatches(at(299))).toEqual([]);
      expect(await store.alerts.takeDueBatches(at(300))).toEqual([second]);
      expect(await store.alerts.takeDueBatches(at(301))).toEqual([]);
    });
  });
}
