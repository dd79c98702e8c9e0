// A distinct sound per priority, made with the Web Audio API (no audio files to load).
//
// The patterns follow the idea of IEC 60601-1-8 alarm signals: urgency is heard in the number of pulses and
// their pace, not only in pitch, so a clinician can tell an urgent alert from a routine one without looking.
// urgent: fast triple beep, high pitch, repeating until the alert is opened; high: double beep;
// normal: one beep; low: one soft, low beep.
//
// Browsers keep an AudioContext suspended until the person interacts with the page (Chrome autoplay policy),
// so `unlock()` must be called from a click: the sign-in button, or the "turn sound on" button after a reload.

export const TONE_PATTERNS = Object.freeze({
  urgent: {
    wave: 'square',
    gain: 0.18,
    repeatEveryMs: 2000,
    beeps: [
      { hz: 1320, ms: 110, gapMs: 70 },
      { hz: 1320, ms: 110, gapMs: 70 },
      { hz: 1320, ms: 110, gapMs: 0 },
    ],
  },
  high: {
    wave: 'triangle',
    gain: 0.4,
    beeps: [
      { hz: 988, ms: 180, gapMs: 120 },
      { hz: 988, ms: 180, gapMs: 0 },
    ],
  },
  normal: { wave: 'sine', gain: 0.4, beeps: [{ hz: 784, ms: 260, gapMs: 0 }] },
  low: { wave: 'sine', gain: 0.12, attackMs: 60, beeps: [{ hz: 523, ms: 320, gapMs: 0 }] },
});

/** How long one run of a pattern lasts, in milliseconds. */
export function patternLength(pattern) {
  return pattern.beeps.reduce((total, beep) => total + beep.ms + beep.gapMs, 0);
}

export class AlertTones {
  #AudioContext;
  #timers;
  #context = null;
  #ringTimer = null;
  #ringing = false;
  muted = false;

  /** @param {{AudioContext?: typeof AudioContext, timers?: {setInterval: Function, clearInterval: Function}}} [options] */
  constructor(options = {}) {
    this.#AudioContext = options.AudioContext ?? globalThis.AudioContext ?? globalThis.webkitAudioContext;
    this.#timers = options.timers ?? globalThis;
  }

  /** True once the browser lets us make sound. */
  get ready() {
    return this.#context?.state === 'running';
  }

  /** Call from a user gesture. Resolves true when sound is allowed. */
  async unlock() {
    if (!this.#AudioContext) return false;
    if (!this.#context) this.#context = new this.#AudioContext();
    if (this.#context.state !== 'running') {
      try {
        await this.#context.resume();
      } catch {
        return false;
      }
    }
    return this.ready;
  }

  /** Plays one run of the priority's pattern now. Answers whether anything was scheduled. */
  play(priority) {
    const pattern = TONE_PATTERNS[priority] ?? TONE_PATTERNS.normal;
    const ctx = this.#context;
    if (this.muted || !ctx || ctx.state !== 'running') return false;
    let at = ctx.currentTime + 0.02;
    const attack = (pattern.attackMs ?? 5) / 1000;
    for (const beep of pattern.beeps) {
      const length = beep.ms / 1000;
      const osc = ctx.createOscillator();
      const envelope = ctx.createGain();
      osc.type = pattern.wave;
      osc.frequency.setValueAtTime(beep.hz, at);
      // Ramp in and out: a hard-edged square wave clicks, which sounds like a fault rather than an alert.
      envelope.gain.setValueAtTime(0, at);
      envelope.gain.linearRampToValueAtTime(pattern.gain, at + attack);
      envelope.gain.setValueAtTime(pattern.gain, at + Math.max(attack, length - 0.015));
      envelope.gain.linearRampToValueAtTime(0, at + length);
      osc.connect(envelope).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + length + 0.01);
      at += length + beep.gapMs / 1000;
    }
    return true;
  }

  /**
   * Keeps repeating the urgent pattern while `on` (an urgent alert nobody has opened on this phone), the
   * way a pager keeps beeping; muting silences it without forgetting that it should ring.
   */
  ring(on) {
    if (on === this.#ringing) return;
    this.#ringing = on;
    if (this.#ringTimer) this.#timers.clearInterval(this.#ringTimer);
    this.#ringTimer = null;
    if (!on) return;
    this.#ringTimer = this.#timers.setInterval(() => this.play('urgent'), TONE_PATTERNS.urgent.repeatEveryMs);
  }

  get ringing() {
    return this.#ringing;
  }
}
