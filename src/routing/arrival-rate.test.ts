import { describe, expect, it } from 'vitest';
import { ArrivalRate } from './arrival-rate.ts';

describe('ArrivalRate', () => {
  it('estimates arrivals per second over its window, and forgets a burst once it is over', () => {
    let now = 1000;
    const rate = new ArrivalRate(20, () => now);
    expect(rate.perSecond()).toBe(0);
    // 40 arrivals in 10 ms: 4,000 a second.
    for (let i = 0; i < 40; i++) {
      rate.note();
      now += 0.25;
    }
    expect(rate.perSecond()).toBeGreaterThan(1500);
    now += 5;
    expect(rate.perSecond()).toBeGreaterThan(500);
    now += 30;
    expect(rate.perSecond()).toBe(0);
  });

  it('sees a slow trickle as slow', () => {
    let now = 0;
    const rate = new ArrivalRate(20, () => now);
    for (let i = 0; i < 100; i++) {
      rate.note();
      now += 5; // 200 a second
    }
    expect(rate.perSecond()).toBeLessThan(400);
  });
});
