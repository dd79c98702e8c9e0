import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { SourcePull } from '../schedules/sources/source.ts';
import { inArrivalOrder, type PushOutcome } from './schedule-push.ts';

const pull = (id: string): SourcePull => ({ mode: 'delta', shifts: [], deleted: [id] });

describe('pushes of one source', () => {
  it('apply one at a time in arrival order; another source does not wait', async () => {
    const seen: string[] = [];
    const gates = new Map<string, () => void>();
    const apply = inArrivalOrder(async (source, p) => {
      const id = p.mode === 'delta' ? p.deleted[0] : '';
      seen.push(`start ${source}:${id}`);
      await new Promise<void>((resolve) => gates.set(id, resolve));
      seen.push(`end ${source}:${id}`);
      return { status: 'applied', message: id } as PushOutcome;
    });
    const first = apply('anesthesia', pull('A'), 'push:x');
    const second = apply('anesthesia', pull('B'), 'push:x');
    const other = apply('icu', pull('C'), 'push:x');
    await turn();
    expect(seen).toEqual(['start anesthesia:A', 'start icu:C']);
    gates.get('A')?.();
    await first;
    await turn();
    expect(seen).toEqual(['start anesthesia:A', 'start icu:C', 'end anesthesia:A', 'start anesthesia:B']);
    gates.get('B')?.();
    gates.get('C')?.();
    expect((await second).message).toBe('B');
    expect((await other).message).toBe('C');
  });

  it('a push that throws does not stop the next', async () => {
    let calls = 0;
    const apply = inArrivalOrder(async () => {
      calls++;
      if (calls === 1) throw new Error('disk full');
      return { status: 'applied', message: 'ok' };
    });
    const failed = apply('anesthesia', pull('A'), 'push:x');
    const next = apply('anesthesia', pull('B'), 'push:x');
    await expect(failed).rejects.toThrow('disk full');
    expect((await next).status).toBe('applied');
  });
});
