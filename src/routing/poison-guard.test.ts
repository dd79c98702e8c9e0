import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rulesFreeRouter } from '../../test/support/rules-free-router.ts';
import type { Store } from '../store/port.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { InboundEvent } from './inbound-port.ts';
import type { MessageInterpreter } from './interpreter.ts';
import type { Router } from './router.ts';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function openStore(dir = mkdtempSync(join(tmpdir(), 'sb-poison-'))): { store: Store; dir: string } {
  if (!dirs.includes(dir)) dirs.push(dir);
  const store = openSqliteStore(dir);
  stores.push(store);
  return { store, dir };
}

function hl7(controlId: string, pid3 = 'MRN1^^^RGH^MR'): Buffer {
  return Buffer.from(
    `MSH|^~\\&|LAB|RGH|SB|RGH|20260115083000||ORU^R01|${controlId}|P|2.5.1\rPID|1||${pid3}||DOE^JANE\r`,
  );
}

async function save(store: Store, controlId: string, raw = hl7(controlId)): Promise<number> {
  const saved = await store.messages.saveInbound({
    listener: 'mllp',
    peer: '127.0.0.1:1',
    sendingApplication: 'LAB',
    sendingFacility: 'RGH',
    receivingApplication: 'SB',
    receivingFacility: 'RGH',
    messageType: 'ORU',
    triggerEvent: 'R01',
    controlId,
    receivedAt: new Date(),
    raw,
  });
  return saved.id;
}

/** Takes every message: throws for control ids starting with THROW, spins for SLOW, routes the rest. */
const testInterpreter: MessageInterpreter = {
  name: 'test',
  async interpret(_event, message) {
    const id = message?.header.controlId ?? '';
    if (id.startsWith('THROW')) throw new Error('the test step threw');
    if (id.startsWith('SLOW')) {
      const until = performance.now() + 1000;
      while (performance.now() < until) {} // a step that holds the loop past the budget
    }
    message?.getAll('PID-3.1');
    return { status: 'routed', detail: 'taken by the test interpreter' };
  },
};

function router(
  store: Store,
  guard = { budgetMs: 2000, maxAttempts: 2 },
  interpreters = [testInterpreter],
): Router {
  return rulesFreeRouter(store, interpreters, guard);
}

function hand(r: Router, messageId: number, raw: Buffer): void {
  const event: InboundEvent = { messageId, listener: 'mllp', raw };
  r.accept(event);
}

describe('poison-message guard', () => {
  it('a message whose routing throws is failed with the reason, and the next one routes', async () => {
    const { store } = openStore();
    const r = router(store);
    const bad = await save(store, 'THROW-1');
    const good = await save(store, 'OK-1');
    hand(r, bad, hl7('THROW-1'));
    hand(r, good, hl7('OK-1'));
    await r.drained();
    const failed = await store.messages.get(bad);
    expect(failed?.status).toBe('failed');
    expect(failed?.statusDetail).toBe('routing failed: the test step threw');
    expect((await store.messages.get(good))?.status).toBe('routed');
    expect((await store.messages.list({ status: 'failed' })).items.map((m) => m.id)).toEqual([bad]);
  });

  it('a message whose routing runs over the time budget is quarantined, and the next one routes', async () => {
    const { store } = openStore();
    const r = router(store, { budgetMs: 250, maxAttempts: 2 });
    // Same patient: the second waits for the first in its chain, and must not wait forever.
    const slow = await save(store, 'SLOW-1');
    const next = await save(store, 'OK-2');
    hand(r, slow, hl7('SLOW-1'));
    hand(r, next, hl7('OK-2'));
    await r.drained();
    const quarantined = await store.messages.get(slow);
    expect(quarantined?.status).toBe('failed');
    expect(quarantined?.statusDetail).toMatch(
      /^quarantined: routing took \d+ ms, over the budget of 250 ms \(stopped after interpreter test\)$/,
    );
    expect((await store.messages.get(next))?.status).toBe('routed');
  });

  it('a message over routing.limits is routed on what was read, and its status says what was cut', async () => {
    const { store } = openStore();
    const r = router(store);
    const ids = Array.from({ length: 5000 }, (_, i) => `ID${i}^^^RGH^PI`).join('~');
    const raw = hl7('BIG-1', ids);
    const id = await save(store, 'BIG-1', raw);
    hand(r, id, raw);
    await r.drained();
    const stored = await store.messages.get(id);
    expect(stored?.status).toBe('routed');
    expect(stored?.statusDetail).toBe(
      'taken by the test interpreter; read in part (over routing.limits): PID-3: 5000 repetitions, read 100',
    );
  });

  it('after restarts, a message whose routing started twice without finishing is quarantined, not routed again', async () => {
    const { store, dir } = openStore();
    const poison = await save(store, 'POISON-1');
    const once = await save(store, 'ONCE-1');
    const fresh = await save(store, 'FRESH-1');
    // Two recorded starts that never finished (the process was killed while routing it, twice), and one.
    await store.messages.routingStarted(poison);
    await store.messages.routingStarted(poison);
    await store.messages.routingStarted(once);
    await store.close();
    stores.splice(stores.indexOf(store), 1);

    const { store: again } = openStore(dir);
    const r = router(again);
    expect(await r.recover()).toBe(2);
    await r.drained();
    const quarantined = await again.messages.get(poison);
    expect(quarantined?.status).toBe('failed');
    expect(quarantined?.statusDetail).toMatch(/^quarantined: routing was started 2 times after a restart/);
    expect(quarantined?.routingAttempts).toBe(2);
    // The others routed, each start recorded on the disk before it ran.
    expect(await again.messages.get(once)).toMatchObject({ status: 'routed', routingAttempts: 2 });
    expect(await again.messages.get(fresh)).toMatchObject({ status: 'routed', routingAttempts: 1 });
    // Nothing is pending any more: the next start routes nothing and quarantines nothing again.
    expect(await again.messages.pending(10)).toEqual([]);
  });

  it('a message whose routing started once before runs with nothing else in flight', async () => {
    const { store } = openStore();
    const ids = [
      await save(store, 'A-1'),
      await save(store, 'SUSPECT-1', hl7('SUSPECT-1', 'MRN2')),
      await save(store, 'B-1', hl7('B-1', 'MRN3')),
    ];
    await store.messages.routingStarted(ids[1]);
    let inFlight = 0;
    let suspectSawOthers = -1;
    const watching: MessageInterpreter = {
      name: 'watching',
      async interpret(_event, message) {
        inFlight += 1;
        if (message?.header.controlId === 'SUSPECT-1') suspectSawOthers = inFlight - 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        return { status: 'routed', detail: 'ok' };
      },
    };
    const r = router(store, { budgetMs: 2000, maxAttempts: 2 }, [watching]);
    expect(await r.recover()).toBe(3);
    await r.drained();
    expect(suspectSawOthers).toBe(0);
    for (const id of ids) expect((await store.messages.get(id))?.status).toBe('routed');
  });
});

describe('stopping and starting again', () => {
  it('stop finishes what is in flight, starts nothing more, and the next start routes the rest', async () => {
    const { store, dir } = openStore();
    let firstStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      firstStarted = resolve;
    });
    const slowly: MessageInterpreter = {
      name: 'slowly',
      async interpret() {
        firstStarted();
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { status: 'routed', detail: 'ok' };
      },
    };
    const r = router(store, { budgetMs: 2000, maxAttempts: 2 }, [slowly]);
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) {
      const id = await save(store, `STOP-${i}`, hl7(`STOP-${i}`, `MRN${i}`));
      ids.push(id);
      hand(r, id, hl7(`STOP-${i}`, `MRN${i}`));
    }
    // Stop once routing is under way, however slow the machine: what is in flight then (at most
    // maxInFlight) finishes, the rest stays received.
    await started;
    await r.stop();
    const late = await save(store, 'LATE-1');
    hand(r, late, hl7('LATE-1'));
    expect(r.backlog).toBe(0);
    const statuses = await Promise.all(
      [...ids, late].map(async (id) => (await store.messages.get(id))?.status),
    );
    const routed = statuses.filter((s) => s === 'routed').length;
    expect(routed).toBeGreaterThan(0);
    expect(routed).toBeLessThan(ids.length);
    expect(statuses.filter((s) => s === 'received').length).toBe(ids.length + 1 - routed);
    await store.close();
    stores.splice(stores.indexOf(store), 1);

    const { store: again } = openStore(dir);
    const next = router(again, { budgetMs: 2000, maxAttempts: 2 }, [slowly]);
    expect(await next.recover()).toBe(ids.length + 1 - routed);
    await next.drained();
    expect(await again.messages.pending(100)).toEqual([]);
  });

  it('a start hands over a backlog larger than one page of the store', async () => {
    const { store } = openStore();
    const total = 10_050;
    for (let from = 0; from < total; from += 1000)
      await Promise.all(
        Array.from({ length: Math.min(1000, total - from) }, (_, i) => save(store, `PAGE-${from + i}`)),
      );
    const r = router(store);
    expect(await r.recover()).toBe(total);
    await r.drained();
    expect(await store.messages.pending(10)).toEqual([]);
  });
});
