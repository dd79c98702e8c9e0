import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { holdSendersWhileRoutingBehind } from './routing-hold.ts';

describe('holdSendersWhileRoutingBehind', () => {
  it('passes every change to the listener and logs the first hold, then at most one line a minute', () => {
    let hear: (behind: boolean, backlog: number) => void = () => {};
    const router = {
      onBehind: (h: typeof hear) => {
        hear = h;
      },
    };
    const told: boolean[] = [];
    const lines: Array<{ msg: string; holds: number; backlog: number }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    let now = 0;
    holdSendersWhileRoutingBehind(router, { routingBehind: (b) => told.push(b) }, log, () => now);

    hear(true, 1000);
    for (let i = 0; i < 5; i++) {
      now += 1_000;
      hear(false, 500);
      hear(true, 1000);
    }
    expect(told).toEqual([true, false, true, false, true, false, true, false, true, false, true]);
    expect(lines.map((l) => [l.msg.split(':')[0], l.holds])).toEqual([['MLLP holding senders', 1]]);

    now += 60_000;
    hear(false, 500);
    hear(true, 1001);
    expect(lines.map((l) => [l.holds, l.backlog])).toEqual([
      [1, 1000],
      [6, 1001],
    ]);
  });
});
