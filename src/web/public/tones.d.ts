// Types for tones.js, for the unit tests (never served).
export interface Beep {
  hz: number;
  ms: number;
  gapMs: number;
}
export interface TonePattern {
  wave: 'sine' | 'square' | 'triangle' | 'sawtooth';
  gain: number;
  attackMs?: number;
  repeatEveryMs?: number;
  beeps: Beep[];
}
export declare const TONE_PATTERNS: Readonly<Record<'urgent' | 'high' | 'normal' | 'low', TonePattern>>;
export declare function patternLength(pattern: TonePattern): number;
export declare class AlertTones {
  constructor(options?: {
    AudioContext?: new () => unknown;
    timers?: { setInterval: (fn: () => void, ms: number) => unknown; clearInterval: (h: unknown) => void };
  });
  muted: boolean;
  readonly ready: boolean;
  readonly ringing: boolean;
  unlock(): Promise<boolean>;
  play(priority: string): boolean;
  ring(on: boolean): void;
}
