/** Time as the routing core sees it: real in production, moved by hand in behaviour tests. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to (GoAlert-style fast-forward in behaviour tests). */
export class ManualClock implements Clock {
  private t: number;

  constructor(start: Date | string) {
    this.t = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  advance(minutes: number): Date {
    this.t += minutes * 60_000;
    return this.now();
  }

  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }
}
