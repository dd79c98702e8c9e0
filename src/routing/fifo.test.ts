import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.ts';

describe('Fifo', () => {
  it('gives items back in the order they came, across compactions', () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    let next = 0;
    // Interleaved pushes and takes, long enough to compact several times.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) q.push(next++);
      for (let i = 0; i < 250; i++) out.push(q.take() as number);
    }
    expect(q.length).toBe(next - out.length);
    while (q.length > 0) out.push(q.take() as number);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(q.take()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
  });

  it('peeks without taking, and clears', () => {
    const q = new Fifo<string>();
    q.push('a');
    q.push('b');
    expect(q.peek()).toBe('a');
    expect(q.length).toBe(2);
    q.clear();
    expect(q.length).toBe(0);
    expect(q.peek()).toBeUndefined();
  });
});
