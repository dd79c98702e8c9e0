import { describe, expect } from 'vitest';
import type { InboundMessage, Store } from '../../../src/store/port.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

export const inbound = (controlId: string, over: Partial<InboundMessage> = {}): InboundMessage => ({
  listener: 'mllp',
  peer: '127.0.0.1:40000',
  sendingApplication: 'CHEMLAB',
  sendingFacility: 'RGH',
  receivingApplication: 'SWITCHBOARD',
  receivingFacility: 'RGH',
  messageType: 'ORU',
  triggerEvent: 'R01',
  controlId,
  receivedAt: new Date('2026-11-22T12:00:00Z'),
  raw: Buffer.from(`MSH|^~\\&|CHEMLAB|RGH|SWITCHBOARD|RGH|20261122120000||ORU^R01|${controlId}|P|2.5\r`),
  ...over,
});

/** What every message store does (MessageStore in store/port.ts), run against each adapter. */
export function messagesContract(makeStores: () => StoreFactory): void {
  describe(`message store (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('stores the raw bytes as received and reads them back after a reopen', async ({ store, stores }) => {
      const raw = Buffer.from([0x4d, 0x53, 0x48, 0x7c, 0x00, 0xff, 0x0d, 0xe2, 0x82, 0xac]);
      const saved = await store.messages.saveInbound(inbound('A1', { raw }));
      expect(saved.duplicate).toBe(false);
      await store.close();
      store = await stores.open();
      const got = await store.messages.get(saved.id);
      expect(got?.raw.equals(raw)).toBe(true);
      expect(got).toMatchObject({
        controlId: 'A1',
        status: 'received',
        statusDetail: null,
        routingAttempts: 0,
        receivedAt: new Date('2026-11-22T12:00:00Z'),
      });
      expect(await store.messages.get(saved.id + 1000)).toBeUndefined();
    });

    it('refuses a repeat of (sender, control id), also among concurrent saves, and tells which row it was', async ({
      store,
    }) => {
      const first = await store.messages.saveInbound(inbound('D1'));
      const [again, other, twin1, twin2] = await Promise.all([
        store.messages.saveInbound(inbound('D1')),
        store.messages.saveInbound(inbound('D1', { sendingFacility: 'NORTH' })),
        store.messages.saveInbound(inbound('D2')),
        store.messages.saveJournaled(inbound('D2')),
      ]);
      expect(again).toEqual({ id: first.id, duplicate: true });
      expect(other.duplicate).toBe(false);
      expect([twin1.duplicate, twin2.duplicate].sort()).toEqual([false, true]);
      expect(twin1.id).toBe(twin2.id);
      expect((await store.messages.list({})).total).toBe(3);
    });

    it('hears of the commit before the save resolves, and many concurrent saves all land', async ({
      store,
    }) => {
      const heard: number[] = [];
      const saves = Array.from({ length: 300 }, (_, i) =>
        store.messages.saveInbound(inbound(`G${i}`), (s) => heard.push(s.id)),
      );
      const results = await Promise.all(saves);
      expect(new Set(results.map((r) => r.id)).size).toBe(300);
      expect(heard.sort((a, b) => a - b)).toEqual(results.map((r) => r.id).sort((a, b) => a - b));
      await store.messages.settled();
      expect((await store.messages.list({ limit: 1 })).total).toBe(300);
    });

    it('lists newest first with filters, paging and a total', async ({ store }) => {
      const t = Date.parse('2026-11-22T12:00:00Z');
      await store.messages.saveInbound(inbound('L1', { receivedAt: new Date(t) }));
      await store.messages.saveInbound(
        inbound('L2', { receivedAt: new Date(t + 1000), messageType: 'ADT', triggerEvent: 'A01' }),
      );
      await store.messages.saveInbound(
        inbound('L3', { receivedAt: new Date(t + 2000), sendingApplication: 'NURSECALL' }),
      );
      const all = await store.messages.list({});
      expect(all.total).toBe(3);
      expect(all.items.map((m) => m.controlId)).toEqual(['L3', 'L2', 'L1']);
      expect(all.items[0]).not.toHaveProperty('raw');
      expect(all.items[0].size).toBeGreaterThan(0);
      expect((await store.messages.list({ type: 'ADT^A01' })).items.map((m) => m.controlId)).toEqual(['L2']);
      expect((await store.messages.list({ type: 'ORU' })).total).toBe(2);
      expect((await store.messages.list({ sender: 'NURSECALL' })).items.map((m) => m.controlId)).toEqual([
        'L3',
      ]);
      expect((await store.messages.list({ controlId: 'L1' })).total).toBe(1);
      const window = { since: new Date(t + 1000), until: new Date(t + 2000) };
      expect((await store.messages.list(window)).items.map((m) => m.controlId)).toEqual(['L2']);
      expect(await store.messages.list({ countUpTo: 2, limit: 1 })).toMatchObject({
        total: 2,
        totalExact: false,
      });
      expect(await store.messages.list({ countUpTo: 3, limit: 1 })).toMatchObject({
        total: 3,
        totalExact: true,
      });
      const page = await store.messages.list({ limit: 1, offset: 1 });
      expect(page).toMatchObject({ total: 3, items: [{ controlId: 'L2' }] });
      // A short last page tells the total without a count; an empty page past the end still counts.
      expect(await store.messages.list({ limit: 2, offset: 2 })).toMatchObject({
        total: 3,
        totalExact: true,
      });
      expect(await store.messages.list({ limit: 2, offset: 5 })).toMatchObject({ total: 3, items: [] });
    });

    it('finds messages by MRN (PID-3, the MR repetition), listener and words of the raw message', async ({
      store,
    }) => {
      const lab = (id: string, pid: string, obx: string, over: Partial<InboundMessage> = {}) =>
        inbound(id, {
          raw: Buffer.from(
            `MSH|^~\\&|CHEMLAB|RGH|SWITCHBOARD|RGH|20261122120000||ORU^R01|${id}|P|2.5\r${pid}\r${obx}\r`,
          ),
          ...over,
        });
      await store.messages.saveInbound(
        lab('S1', 'PID|1||MRN448120^^^RGH^MR||RIVERA^MARTA', 'OBX|1|NM|K^Potassium||2.7|mmol/L|||LL'),
      );
      await store.messages.saveInbound(
        lab('S2', 'PID|1||99-1^^^RGH^PI~MRN500001^^^RGH^MR||DOE^JOHN', 'OBX|1|NM|NA^Sodium||140|mmol/L'),
      );
      await store.messages.saveJournaled(
        lab('S3', 'PID|1||MRN448120^^^RGH^MR||RIVERA^MARTA', 'OBX|1|ST|NOTE||call \\T\\ page', {
          listener: 'wctp',
        }),
      );
      await store.messages.settled();
      const ids = async (q: Parameters<Store['messages']['list']>[0]) =>
        (await store.messages.list(q)).items.map((m) => m.controlId);
      expect(await ids({ mrn: 'MRN448120' })).toEqual(['S3', 'S1']);
      expect(await ids({ mrn: 'MRN500001' })).toEqual(['S2']);
      expect(await ids({ mrn: '99-1' })).toEqual([]);
      expect(await ids({ listener: 'wctp' })).toEqual(['S3']);
      expect(await ids({ text: 'Potassium 2.7' })).toEqual(['S1']);
      expect(await ids({ text: 'potassium' })).toEqual(['S1']);
      expect(await ids({ text: 'Sodium AND' })).toEqual([]);
      expect(await ids({ text: '"*"' })).toEqual([]);
      expect(await ids({ text: 'rivera', mrn: 'MRN448120', listener: 'mllp' })).toEqual(['S1']);
      expect((await store.messages.list({ controlId: 'S1' })).items[0].patientMrn).toBe('MRN448120');
    });

    it('finds words with letters outside ASCII, and stores a message whose bytes are not UTF-8 or hold a NUL', async ({
      store,
    }) => {
      const adt = (id: string, name: Buffer) =>
        inbound(id, {
          raw: Buffer.concat([
            Buffer.from(
              `MSH|^~\\&|ADT|RGH|SWITCHBOARD|RGH|20261122120000||ADT^A01|${id}|P|2.5|||||||UNICODE UTF-8\rPID|1||MRN7^^^RGH^MR||`,
            ),
            name,
            Buffer.from('\r'),
          ]),
        });
      await store.messages.saveInbound(adt('U1', Buffer.from('NÚÑEZ^JOSÉ', 'utf8')));
      // Latin-1 bytes (E9 is é there, and no UTF-8), and a NUL a sender's padding left in.
      await store.messages.saveInbound(
        adt('U2', Buffer.from([0x42, 0x45, 0xe9, 0x5e, 0x41, 0x4e, 0x4e, 0x41])),
      );
      await store.messages.saveJournaled(adt('U3', Buffer.from('ZHANG^WEI\0\0', 'latin1')));
      await store.messages.settled();
      const ids = async (text: string) => (await store.messages.list({ text })).items.map((m) => m.controlId);
      expect(await ids('José')).toEqual(['U1']);
      expect(await ids('núñez josé')).toEqual(['U1']);
      expect(await ids('wei')).toEqual(['U3']);
      expect((await store.messages.list({ controlId: 'U2' })).items).toHaveLength(1);
      expect(
        (await store.messages.get((await store.messages.list({ controlId: 'U3' })).items[0].id))?.raw,
      ).toEqual(adt('U3', Buffer.from('ZHANG^WEI\0\0', 'latin1')).raw);
    });

    it('hands over what is still received, in order, and counts routing starts', async ({ store }) => {
      const ids: number[] = [];
      for (const c of ['P1', 'P2', 'P3']) ids.push((await store.messages.saveInbound(inbound(c))).id);
      await store.messages.setStatus(ids[1], 'routed', 'rule lab-critical');
      expect((await store.messages.pending(10)).map((m) => m.controlId)).toEqual(['P1', 'P3']);
      expect((await store.messages.pending(10, ids[0])).map((m) => m.controlId)).toEqual(['P3']);
      expect((await store.messages.list({ status: 'routed' })).items[0].statusDetail).toBe(
        'rule lab-critical',
      );
      expect(await store.messages.routingStarted(ids[0])).toBe(1);
      expect(await store.messages.routingStarted(ids[0])).toBe(2);
      await store.durable();
      expect((await store.messages.get(ids[0]))?.routingAttempts).toBe(2);
    });

    it('records each of many outcomes set at once, and the last of two set for one message', async ({
      store,
    }) => {
      const ids: number[] = [];
      for (let i = 0; i < 30; i++) ids.push((await store.messages.saveInbound(inbound(`Q${i}`))).id);
      await Promise.all([
        ...ids.map((id, i) => store.messages.setStatus(id, i % 2 ? 'routed' : 'unrouted', `outcome ${i}`)),
        store.messages.setStatus(ids[0], 'failed', 'quarantined: the last word'),
      ]);
      const stored = await Promise.all(ids.map((id) => store.messages.get(id)));
      expect(stored[0]?.status).toBe('failed');
      expect(stored[0]?.statusDetail).toBe('quarantined: the last word');
      for (let i = 1; i < 30; i++) {
        expect(stored[i]?.status).toBe(i % 2 ? 'routed' : 'unrouted');
        expect(stored[i]?.statusDetail).toBe(`outcome ${i}`);
      }
    });
  });
}

/** What every audit log does (AuditLog in store/port.ts). */
export function auditContract(makeStores: () => StoreFactory): void {
  describe(`audit log (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('records who did what to which subject, newest first, by subject or actor', async ({ store }) => {
      const at = new Date('2026-11-22T12:00:00Z');
      await store.audit.record({ at, actor: 'nurse.kim', action: 'message.view', subject: 'message:1' });
      await store.audit.record({
        at,
        actor: 'dr.one',
        action: 'alert.acknowledge',
        subject: 'alert:7',
        detail: 'from the app',
      });
      await store.audit.record({ at, actor: 'dr.one', action: 'message.view', subject: 'message:1' });
      expect((await store.audit.list({})).map((e) => e.actor)).toEqual(['dr.one', 'dr.one', 'nurse.kim']);
      expect((await store.audit.list({ subject: 'message:1' })).map((e) => e.actor)).toEqual([
        'dr.one',
        'nurse.kim',
      ]);
      expect(await store.audit.list({ actor: 'dr.one', limit: 1 })).toEqual([
        { at, actor: 'dr.one', action: 'message.view', subject: 'message:1', detail: undefined },
      ]);
      expect((await store.audit.list({ subject: 'alert:7' }))[0].detail).toBe('from the app');
    });
  });
}
