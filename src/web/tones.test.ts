import { describe, expect, it } from 'vitest';
import { AlertTones, patternLength, TONE_PATTERNS } from './public/tones.js';

/** Records what the page asks the audio graph to do. */
class FakeAudioContext {
  static started: Array<{ hz: number; at: number; wave: string }> = [];
  state = 'suspended';
  currentTime = 10;
  destination = {};
  async resume() {
    this.state = 'running';
  }
  createOscillator() {
    const osc = {
      type: 'sine',
      hz: 0,
      frequency: { setValueAtTime: (hz: number) => (osc.hz = hz) },
      connect: (node: unknown) => node,
      start: (at: number) => FakeAudioContext.started.push({ hz: osc.hz, at, wave: osc.type }),
      stop: () => {},
    };
    return osc;
  }
  createGain() {
    const gain = {
      gain: { setValueAtTime: () => {}, linearRampToValueAtTime: () => {} },
      connect: (node: unknown) => node,
    };
    return gain;
  }
}

class ManualIntervals {
  running = new Map<number, () => void>();
  private next = 1;
  setInterval = (fn: () => void) => {
    this.running.set(this.next, fn);
    return this.next++;
  };
  clearInterval = (id: unknown) => {
    this.running.delete(id as number);
  };
  tick() {
    for (const fn of this.running.values()) fn();
  }
}

function tones() {
  FakeAudioContext.started = [];
  const timers = new ManualIntervals();
  return { t: new AlertTones({ AudioContext: FakeAudioContext, timers }), timers };
}

describe('TONE_PATTERNS', () => {
  it('gives each priority its own rhythm: three, two, one and one soft beep', () => {
    expect(Object.values(TONE_PATTERNS).map((p) => p.beeps.length)).toEqual([3, 2, 1, 1]);
    expect(TONE_PATTERNS.urgent.beeps[0].hz).toBeGreaterThan(TONE_PATTERNS.high.beeps[0].hz);
    expect(TONE_PATTERNS.low.gain).toBeLessThan(TONE_PATTERNS.normal.gain);
    // The urgent run ends well before it repeats, so the beeps never overlap.
    expect(patternLength(TONE_PATTERNS.urgent)).toBeLessThan(TONE_PATTERNS.urgent.repeatEveryMs!);
  });
});

describe('AlertTones', () => {
  it('stays silent until unlocked by a gesture', async () => {
    const { t } = tones();
    expect(t.play('urgent')).toBe(false);
    expect(await t.unlock()).toBe(true);
    expect(t.ready).toBe(true);
    expect(t.play('urgent')).toBe(true);
    expect(FakeAudioContext.started.map((s) => s.hz)).toEqual([1320, 1320, 1320]);
  });

  it('schedules the beeps of a pattern one after another', async () => {
    const { t } = tones();
    await t.unlock();
    t.play('high');
    const [a, b] = FakeAudioContext.started;
    expect(b.at - a.at).toBeCloseTo((180 + 120) / 1000, 5);
    expect(a.wave).toBe('triangle');
  });

  it('plays nothing while muted and plays an unknown priority as normal', async () => {
    const { t } = tones();
    await t.unlock();
    t.muted = true;
    expect(t.play('urgent')).toBe(false);
    t.muted = false;
    t.play('critical');
    expect(FakeAudioContext.started.map((s) => s.hz)).toEqual([TONE_PATTERNS.normal.beeps[0].hz]);
  });

  it('rings urgent on repeat until told to stop, muting silencing the repeats', async () => {
    const { t, timers } = tones();
    await t.unlock();
    t.ring(true);
    t.ring(true); // idempotent: one repeat timer
    expect(timers.running.size).toBe(1);
    timers.tick();
    expect(FakeAudioContext.started).toHaveLength(3);
    t.muted = true;
    timers.tick();
    expect(FakeAudioContext.started).toHaveLength(3);
    expect(t.ringing).toBe(true);
    t.ring(false);
    expect(timers.running.size).toBe(0);
  });

  it('reports no sound when the browser has no Web Audio', async () => {
    const t = new AlertTones({ AudioContext: undefined as never });
    expect(await t.unlock()).toBe(false); // Node has no AudioContext to fall back on
  });
});
