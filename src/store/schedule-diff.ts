import type { PlannedChange, ScheduleChangeKind, Shift } from './schedule-port.ts';

/**
 * The semantic diff of one source's shifts: what a clinician or a downstream system would call the change.
 * Pure, so both adapters compute it inside their write transaction.
 *
 * Shifts are matched by id first. Sources without their own shift ids key a shift by its slot, so a swap
 * of doctors gives a new id; the leftovers are therefore paired by slot, in this order:
 *   1. assignment, call order, start  -> person changed (and whatever else changed)
 *   2. assignment, call order, person, if the two overlap in time -> time changed (a shift moved or
 *      stretched; the same doctor's shift next week is another shift, not this one moved)
 *   3. assignment, start, person      -> call order changed
 * and only what is still unpaired is reported as removed or added. A shift that moved to another
 * assignment under the same id is a removal and an addition: to a consumer it is another slot.
 */
export function diffShifts(before: readonly Shift[], after: readonly Shift[]): PlannedChange[] {
  return unsortedDiff(before, after).sort(byWhen);
}

/**
 * As diffShifts, with `nextTurn` awaited between slices of the final sort: the 50,000 changes of a large
 * first sync sort in one block of tens of milliseconds otherwise. Slices are sorted, then merged, stably,
 * so the order is the one diffShifts gives.
 */
export async function diffShiftsInTurns(
  before: readonly Shift[],
  after: readonly Shift[],
  nextTurn: () => Promise<void>,
  slice = 2000,
): Promise<PlannedChange[]> {
  const changes = unsortedDiff(before, after);
  if (changes.length <= slice) return changes.sort(byWhen);
  let runs: PlannedChange[][] = [];
  for (let i = 0; i < changes.length; i += slice) {
    runs.push(changes.slice(i, i + slice).sort(byWhen));
    await nextTurn();
  }
  while (runs.length > 1) {
    const merged: PlannedChange[][] = [];
    for (let i = 0; i < runs.length; i += 2) {
      merged.push(i + 1 < runs.length ? await merge(runs[i], runs[i + 1], nextTurn, slice) : runs[i]);
    }
    runs = merged;
  }
  return runs[0];
}

/** The two sorted runs as one, the left one's first on a tie (a stable merge). */
async function merge(
  a: PlannedChange[],
  b: PlannedChange[],
  nextTurn: () => Promise<void>,
  slice: number,
): Promise<PlannedChange[]> {
  const out: PlannedChange[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    out[k++] = byWhen(b[j], a[i]) < 0 ? b[j++] : a[i++];
    if (k % (slice * 4) === 0) await nextTurn();
  }
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

function unsortedDiff(before: readonly Shift[], after: readonly Shift[]): PlannedChange[] {
  const changes: PlannedChange[] = [];
  const oldById = new Map<string, Shift>();
  for (const s of before) oldById.set(s.id, s);
  const kept = new Set<string>();
  const added: Shift[] = [];
  for (const s of after) {
    const old = oldById.get(s.id);
    if (old === undefined || old.assignmentId !== s.assignmentId) {
      added.push(s);
      continue;
    }
    kept.add(s.id);
    const kinds = kindsBetween(old, s);
    if (kinds.length > 0)
      changes.push({ shiftId: s.id, assignmentId: s.assignmentId, kinds, before: old, after: s });
  }
  // What is left of the stored shifts; pairing by slot takes more out.
  const removed = new Map<string, Shift>();
  for (const s of before) if (!kept.has(s.id)) removed.set(s.id, s);
  let leftAdded = added;
  const leftRemoved = [...removed.values()];
  for (const { key, fits } of slotKeys) {
    if (leftAdded.length === 0 || removed.size === 0) break;
    const byKey = new Map<string, Shift[]>();
    for (const s of leftRemoved) {
      if (!removed.has(s.id)) continue;
      const k = key(s);
      const list = byKey.get(k);
      if (list) list.push(s);
      else byKey.set(k, [s]);
    }
    const unpaired: Shift[] = [];
    for (const s of leftAdded) {
      const candidates = byKey.get(key(s));
      const at = candidates ? candidates.findIndex((old) => fits(old, s)) : -1;
      if (!candidates || at < 0) {
        unpaired.push(s);
        continue;
      }
      const [old] = candidates.splice(at, 1);
      removed.delete(old.id);
      changes.push({
        shiftId: s.id,
        assignmentId: s.assignmentId,
        kinds: kindsBetween(old, s),
        before: old,
        after: s,
      });
    }
    leftAdded = unpaired;
  }
  for (const s of leftAdded) {
    changes.push({ shiftId: s.id, assignmentId: s.assignmentId, kinds: ['added'], before: null, after: s });
  }
  for (const s of removed.values()) {
    changes.push({ shiftId: s.id, assignmentId: s.assignmentId, kinds: ['removed'], before: s, after: null });
  }
  return changes;
}

const always = () => true;
const overlap = (a: Shift, b: Shift) =>
  a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();

const slotKeys: Array<{ key: (s: Shift) => string; fits: (old: Shift, now: Shift) => boolean }> = [
  { key: (s) => `${s.assignmentId}\u0000${s.callOrder}\u0000${s.start.getTime()}`, fits: always },
  { key: (s) => `${s.assignmentId}\u0000${s.callOrder}\u0000${s.personId}`, fits: overlap },
  { key: (s) => `${s.assignmentId}\u0000${s.start.getTime()}\u0000${s.personId}`, fits: always },
];

/** Every way `b` differs from `a`; empty when the shift is the same to anyone who reads the schedule. */
export function kindsBetween(a: Shift, b: Shift): ScheduleChangeKind[] {
  const kinds: ScheduleChangeKind[] = [];
  if (a.personId !== b.personId) kinds.push('person-changed');
  if (a.start.getTime() !== b.start.getTime() || a.end.getTime() !== b.end.getTime())
    kinds.push('time-changed');
  if (a.callOrder !== b.callOrder) kinds.push('call-order-changed');
  if (a.notes !== b.notes) kinds.push('notes-changed');
  if (a.published !== b.published) kinds.push(b.published ? 'published' : 'unpublished');
  return kinds;
}

/** The feed reads in schedule order within one sync: by start, then assignment, then shift id. */
function byWhen(x: PlannedChange, y: PlannedChange): number {
  const a = (x.after ?? x.before) as Shift;
  const b = (y.after ?? y.before) as Shift;
  return (
    a.start.getTime() - b.start.getTime() ||
    cmp(a.assignmentId, b.assignmentId) ||
    a.callOrder - b.callOrder ||
    cmp(x.shiftId, y.shiftId)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
