import { describe, expect, it } from 'vitest';
import { StatementBatch } from './statement-batch.ts';

describe('StatementBatch', () => {
  it('sends the requests of one turn together and answers each with its own', async () => {
    const sent: number[][] = [];
    const batch = new StatementBatch<number, number>(async (items) => {
      sent.push([...items]);
      return items.map((n) => n * 10);
    }, 3);
    const answers = await Promise.all([1, 2, 3, 4].map((n) => batch.add(n)));
    expect(answers).toEqual([10, 20, 30, 40]);
    // At most three at once: the fourth went in a statement of its own.
    expect(sent).toEqual([[1, 2, 3], [4]]);
    expect(await batch.add(5)).toBe(50);
    expect(sent).toEqual([[1, 2, 3], [4], [5]]);
  });

  it('gathers what comes while a statement is on its way into the next one', async () => {
    const sent: number[][] = [];
    let finish: () => void = () => {};
    const batch = new StatementBatch<number, number>(async (items) => {
      sent.push([...items]);
      if (items[0] === 1) await new Promise<void>((resolve) => (finish = resolve));
      return [...items];
    });
    const first = batch.add(1);
    while (sent.length === 0) await new Promise((r) => setImmediate(r));
    // Three turns while the first statement waits: all three go in one statement after it.
    const later: Promise<number>[] = [];
    for (const n of [2, 3, 4]) {
      later.push(batch.add(n));
      await new Promise((r) => setImmediate(r));
    }
    expect(sent).toEqual([[1]]);
    finish();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4]);
    expect(sent).toEqual([[1], [2, 3, 4]]);
  });

  it('settles once every request made so far is answered, those made while it waits included', async () => {
    const sent: number[] = [];
    const batch = new StatementBatch<number, void>(async (items) => {
      sent.push(...items);
      await new Promise((r) => setTimeout(r, 5));
      return items.map(() => undefined);
    });
    void batch.add(1);
    const settled = batch.settled();
    void batch.add(2);
    await settled;
    expect(sent).toEqual([1, 2]);
    await batch.settled();
  });

  it('fails every request of a statement that failed, and the next one goes on', async () => {
    let fail = true;
    const batch = new StatementBatch<number, number>(async (items) => {
      if (fail) throw new Error('connection lost');
      return [...items];
    });
    const failed = await Promise.allSettled([batch.add(1), batch.add(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batch.add(3)).toBe(3);
  });
});
