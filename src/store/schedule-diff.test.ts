import { describe, expect, it } from 'vitest';
import { H, shift, t0 } from '../../test/support/shifts.ts';
import { diffShifts, diffShiftsInTurns } from './schedule-diff.ts';
import type { Shift } from './schedule-port.ts';

const kinds = (before: Shift[], after: Shift[]) => diffShifts(before, after).map((c) => [c.shiftId, c.kinds]);

describe('diffShifts', () => {
  it('finds nothing when the same schedule comes again, in any order', () => {
    const a = [shift({ id: 'a' }), shift({ id: 'b', callOrder: 2 })];
    expect(
      diffShifts(
        a,
        [...a].reverse().map((s) => ({ ...s })),
      ),
    ).toEqual([]);
  });

  it('reports every field change of a shift kept by id', () => {
    const before = [shift({ id: 'a' })];
    const after = [
      shift({
        id: 'a',
        personId: 'p-baker',
        end: new Date(t0 + 13 * H),
        callOrder: 2,
        notes: 'swap',
        published: false,
      }),
    ];
    expect(kinds(before, after)).toEqual([
      ['a', ['person-changed', 'time-changed', 'call-order-changed', 'notes-changed', 'unpublished']],
    ]);
    expect(kinds([shift({ id: 'a', published: false })], [shift({ id: 'a' })])).toEqual([
      ['a', ['published']],
    ]);
  });

  it('pairs slot-keyed shifts: a swap of doctors is person-changed, a moved shift time-changed', () => {
    const before = [
      shift({ id: 'slot-ahmed', personId: 'p-ahmed' }),
      shift({
        id: 'late-chen',
        personId: 'p-chen',
        start: new Date(t0 + 12 * H),
        end: new Date(t0 + 24 * H),
      }),
    ];
    const after = [
      shift({ id: 'slot-baker', personId: 'p-baker' }),
      shift({
        id: 'late-chen-2',
        personId: 'p-chen',
        start: new Date(t0 + 14 * H),
        end: new Date(t0 + 24 * H),
      }),
    ];
    const changes = diffShifts(before, after);
    expect(changes.map((c) => [c.before?.id, c.after?.id, c.kinds])).toEqual([
      ['slot-ahmed', 'slot-baker', ['person-changed']],
      ['late-chen', 'late-chen-2', ['time-changed']],
    ]);
    expect(changes[0].shiftId).toBe('slot-baker');
  });

  it('pairs a shift moved to another call order, and reports the rest as added and removed', () => {
    const before = [shift({ id: 'x', callOrder: 1 }), shift({ id: 'gone', assignmentId: 'icu' })];
    const after = [shift({ id: 'y', callOrder: 2 }), shift({ id: 'new', assignmentId: 'cardiology' })];
    expect(kinds(before, after)).toEqual([
      ['new', ['added']],
      ['y', ['call-order-changed']],
      ['gone', ['removed']],
    ]);
  });

  it("does not pair the same doctor's shift a week apart: one slid out, another slid in", () => {
    const week = 7 * 24 * H;
    const before = [shift({ id: 'mon', personId: 'p-ahmed' })];
    const after = [
      shift({
        id: 'next-mon',
        personId: 'p-ahmed',
        start: new Date(t0 + week),
        end: new Date(t0 + week + 12 * H),
      }),
    ];
    expect(kinds(before, after)).toEqual([
      ['mon', ['removed']],
      ['next-mon', ['added']],
    ]);
  });

  it('treats a shift that changed assignment under the same id as a removal and an addition', () => {
    expect(kinds([shift({ id: 'a' })], [shift({ id: 'a', assignmentId: 'icu', personId: 'p-zed' })])).toEqual(
      [
        ['a', ['removed']],
        ['a', ['added']],
      ],
    );
  });

  it('in turns: the same changes in the same order as in one go, ties and pairings included', async () => {
    // A seeded mix: kept, changed, moved, swapped (slot-keyed ids), removed and added, many sharing a start.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const before: Shift[] = [];
    const after: Shift[] = [];
    for (let i = 0; i < 3000; i++) {
      const start = t0 + next(40) * H;
      const base = shift({
        id: `amion:${i}`,
        assignmentId: `a${next(5)}`,
        personId: `p${next(9)}`,
        start: new Date(start),
        end: new Date(start + 12 * H),
      });
      const roll = next(6);
      if (roll !== 0) before.push(base);
      if (roll === 1) continue;
      if (roll === 2) after.push({ ...base, personId: 'p-new' });
      else if (roll === 3) after.push({ ...base, id: `amion:swap-${i}`, personId: `p${next(9)}` });
      else if (roll === 4) after.push({ ...base, start: new Date(start + H), end: new Date(start + 13 * H) });
      else after.push(base);
    }
    let turns = 0;
    const inTurns = await diffShiftsInTurns(
      before,
      after,
      async () => {
        turns += 1;
      },
      100,
    );
    const once = diffShifts(before, after);
    expect(once.length).toBeGreaterThan(1000);
    expect(inTurns).toEqual(once);
    expect(turns).toBeGreaterThan(10);
  });
});
