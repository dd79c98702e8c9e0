import { afterEach, describe, expect, it } from 'vitest';
import type { LeaseGrant, LeaseHolding, LeaseStore } from '../store/lease-port.ts';
import { DutyEnded, DutyRoster, type DutyTimers } from './duty-roster.ts';

const TTL = 30_000;

/** One clock for the whole cluster; each instance's timers can be frozen (a kill -9). */
class FakeClock {
  now = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void; frozen: () => boolean }>();

  timers(frozen: () => boolean = () => false): DutyTimers {
    return {
      now: () => this.now,
      set: (ms, fn) => {
        const id = ++this.seq;
        this.pending.set(id, { at: this.now + Math.max(0, ms), fn, frozen });
        return id;
      },
      clear: (handle) => {
        this.pending.delete(handle as number);
      },
    };
  }

  /** Moves time on in small steps, letting the promises each timer starts settle between steps. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    while (this.now < end) {
      this.now = Math.min(end, this.now + 250);
      for (;;) {
        const due = [...this.pending]
          .filter(([, t]) => t.at <= this.now)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        this.pending.delete(due[0]);
        if (!due[1].frozen()) due[1].fn();
        await settle();
      }
      await settle();
    }
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The PostgreSQL adapter's rules on the fake clock: exclusive until the expiry, terms, release. */
class FakeLeases implements LeaseStore {
  readonly rows = new Map<string, { holder: string; term: number; expiresAt: number }>();
  /** Instances that cannot reach the database: their takes fail. */
  readonly unreachable = new Set<string>();
  takes = 0;

  constructor(private readonly clock: FakeClock) {}

  async take(names: readonly string[], holder: string, ttlMs: number): Promise<LeaseGrant[]> {
    await Promise.resolve();
    if (this.unreachable.has(holder)) throw new Error('connection refused');
    this.takes += 1;
    const now = this.clock.now;
    const out: LeaseGrant[] = [];
    for (const name of names) {
      const row = this.rows.get(name);
      if (row && row.holder !== holder && row.expiresAt > now) continue;
      const term = !row ? 1 : row.holder === holder && row.expiresAt > now ? row.term : row.term + 1;
      this.rows.set(name, { holder, term, expiresAt: now + ttlMs });
      out.push({ name, term });
    }
    return out;
  }

  async release(names: readonly string[], holder: string): Promise<void> {
    if (this.unreachable.has(holder)) throw new Error('connection refused');
    for (const name of names) {
      const row = this.rows.get(name);
      if (row?.holder === holder && row.expiresAt > this.clock.now) row.expiresAt = this.clock.now;
    }
  }

  async holdings(): Promise<LeaseHolding[]> {
    return [...this.rows]
      .filter(([, r]) => r.expiresAt > this.clock.now)
      .map(([name, r]) => ({ name, ...r, expiresAt: new Date(r.expiresAt) }));
  }
}

const quiet = { info() {}, warn() {}, error() {} };

interface Turn {
  instance: string;
  start: number;
  end?: number;
  signal: AbortSignal;
}

/** An instance: a roster with one periodic duty whose turns last `turnMs` unless their signal aborts. */
function instance(
  name: string,
  clock: FakeClock,
  leases: FakeLeases,
  turns: Turn[],
  o: { turnMs?: number; heedSignal?: boolean; stopWaitMs?: number } = {},
) {
  let dead = false;
  const timers = clock.timers(() => dead);
  const roster = new DutyRoster({
    leases,
    instance: name,
    ttlMs: TTL,
    log: quiet,
    timers,
    stopWaitMs: o.stopWaitMs,
  });
  const events: string[] = [];
  roster.every('connector-cycle', 5_000, (signal) => {
    const turn: Turn = { instance: name, start: clock.now, signal };
    turns.push(turn);
    return new Promise<void>((resolve) => {
      const done = () => {
        turn.end ??= clock.now;
        resolve();
      };
      timers.set(o.turnMs ?? 1_000, done);
      if (o.heedSignal !== false) signal.addEventListener('abort', done);
    });
  });
  roster.add('ldap-sync', {
    begin: () => {
      events.push(`begin@${clock.now}`);
    },
    end: () => {
      events.push(`end@${clock.now}`);
    },
  });
  return {
    roster,
    events,
    /** kill -9: no timer of it fires again, nothing is released. */
    kill() {
      dead = true;
      leases.unreachable.add(name);
    },
  };
}

/** No two turns of the duty, on any instances, ran at the same time. */
function expectNoOverlap(turns: Turn[]): void {
  const sorted = [...turns].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++)
    expect(sorted[i].start).toBeGreaterThanOrEqual(sorted[i - 1].end ?? Infinity);
}

describe('DutyRoster', () => {
  const rosters: DutyRoster[] = [];
  afterEach(async () => {
    for (const r of rosters.splice(0)) await r.stop();
  });

  it('runs each duty on one instance of two, the other standing by', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases(clock);
    const turns: Turn[] = [];
    const a = instance('a', clock, leases, turns);
    const b = instance('b', clock, leases, turns);
    rosters.push(a.roster, b.roster);
    await a.roster.start();
    await b.roster.start();
    expect(a.roster.held()).toEqual(['connector-cycle', 'ldap-sync']);
    expect(b.roster.held()).toEqual([]);
    expect(b.roster.standingBy()).toEqual(['connector-cycle', 'ldap-sync']);
    await clock.advance(5 * 60_000);
    expect(turns.length).toBeGreaterThan(50);
    expect(new Set(turns.map((t) => t.instance))).toEqual(new Set(['a']));
    expect(b.events).toEqual([]);
    expectNoOverlap(turns);
  });

  it('renews before each turn and in rounds of a third of the lease, in one take for every duty', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases(clock);
    const turns: Turn[] = [];
    const a = instance('a', clock, leases, turns);
    rosters.push(a.roster);
    await a.roster.start();
    leases.takes = 0;
    await clock.advance(60_000);
    // 12 turns (one every 5 s) and 6 rounds (one every 10 s).
    expect(turns.length).toBe(12);
    expect(leases.takes).toBe(12 + 6);
  });

  it('hands the duties to the survivor at its next round after a clean stop', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases(clock);
    const turns: Turn[] = [];
    const a = instance('a', clock, leases, turns);
    const b = instance('b', clock, leases, turns);
    rosters.push(b.roster);
    await a.roster.start();
    await b.roster.start();
    await clock.advance(20_000);
    await a.roster.stop();
    expect(a.events).toEqual(['begin@0', 'end@20000']);
    await clock.advance(TTL / 3);
    expect(b.roster.held()).toEqual(['connector-cycle', 'ldap-sync']);
    expect(b.events).toHaveLength(1);
    expectNoOverlap(turns);
    expect(turns.at(-1)?.instance).toBe('b');
  });

  it('after a kill -9 the survivor takes over once the lease has lapsed, never before', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases(clock);
    const turns: Turn[] = [];
    const a = instance('a', clock, leases, turns);
    const b = instance('b', clock, leases, turns);
    rosters.push(b.roster);
    await a.roster.start();
    await b.roster.start();
    await clock.advance(12_000);
    a.kill();
    const expiries = [...leases.rows.values()].map((r) => r.expiresAt);
    // Until a lease lapses the survivor only stands by.
    await clock.advance(Math.min(...expiries) - clock.now - 1);
    expect(b.roster.held()).toEqual([]);
    // It takes each lapsed lease at its next round: within a third of the lease after the lapse.
    await clock.advance(Math.max(...expiries) + TTL / 3 - clock.now);
    expect(b.roster.held()).toEqual(['connector-cycle', 'ldap-sync']);
    await clock.advance(30_000);
    expect(turns.filter((t) => t.instance === 'b').length).toBeGreaterThan(3);
  });

  it('an instance cut off from the database ends its duties at its own deadline, before another can take them', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases(clock);
    const turns: Turn[] = [];
    // Turns longer than a round: one is always running when the lease is lost.
    const a = instance('a', clock, leases, turns, { turnMs: 60_000 });
    const b = instance('b', clock, leases, turns, { turnMs: 60_000 });
    rosters.push(a.roster, b.roster);
    await a.roster.start();
    await b.roster.start();
    await clock.advance(40_000);
    const running = turns.find((t) => t.end === undefined)!;
    expect(running.instance).toBe('a');
    leases.unreachable.add('a');
    await clock.advance(2 * TTL);
    expect(running.signal.aborted).toBe(true);
    expect(running.signal.reason).toBeInstanceOf(DutyEnded);
    expect(a.roster.held()).toEqual([]);
    expect(b.roster.held()).toEqual(['connector-cycle', 'ldap-sync']);
    const aEnded = Number(a.events[1].split('@')[1]);
    const bBegan = Number(b.events[0].split('@')[1]);
    expect(aEnded).toBeLessThanOrEqual(bBegan);
    expectNoOverlap(turns);
    // a reaches the database again: it stands by, b keeps the duties.
    leases.unreachable.delete('a');
    await clock.advance(TTL);
    expect(a.roster.held()).toEqual([]);
    expect(b.roster.held()).toEqual(['connector-cycle', 'ldap-sync']);
  });

  it('a lease taken over between two rounds stops the holder at its next renewal, before a turn', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases(clock);
    const turns: Turn[] = [];
    const a = instance('a', clock, leases, turns);
    rosters.push(a.roster);
    await a.roster.start();
    await clock.advance(1_000);
    const before = turns.length;
    // Another instance holds it now (as after a pause of a longer than the lease).
    leases.rows.set('connector-cycle', { holder: 'b', term: 9, expiresAt: clock.now + TTL });
    await clock.advance(5_000);
    expect(turns.length).toBe(before);
    expect(a.roster.held()).toEqual(['ldap-sync']);
  });

  it('a lease that lapsed and came back in a new term ends the job and begins it again', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases(clock);
    const a = instance('a', clock, leases, []);
    rosters.push(a.roster);
    await a.roster.start();
    const row = leases.rows.get('ldap-sync')!;
    row.expiresAt = clock.now;
    leases.rows.set('ldap-sync', { ...row, holder: 'b' });
    await clock.advance(TTL / 3);
    expect(a.events).toEqual(['begin@0', 'end@10000', 'begin@10000']);
  });

  it('a stop releases only the leases whose turns ended; one still running is left to lapse', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases(clock);
    const turns: Turn[] = [];
    const a = instance('a', clock, leases, turns, { turnMs: 600_000, heedSignal: false, stopWaitMs: 5_000 });
    await a.roster.start();
    await clock.advance(1_000);
    const stopping = a.roster.stop();
    await clock.advance(6_000);
    await stopping;
    expect(turns[0].signal.aborted).toBe(true);
    const held = (await leases.holdings()).map((h) => h.name);
    expect(held).toEqual(['connector-cycle']);
  });

  it('on a store that grants every take (the embedded one) the single instance runs everything', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases(clock);
    // What a previous run left: the embedded store grants it anyway (SqliteLeases).
    leases.take = async (names) => names.map((name) => ({ name, term: 1 }));
    const turns: Turn[] = [];
    const a = instance('a', clock, leases, turns);
    rosters.push(a.roster);
    await a.roster.start();
    expect(a.roster.held()).toEqual(['connector-cycle', 'ldap-sync']);
    await clock.advance(20_000);
    expect(turns.length).toBeGreaterThan(3);
  });
});
