/**
 * How fast messages are arriving, over the last `windowMs`: two half-window buckets, so it costs a
 * counter increment per arrival and needs no timer.
 */
export class ArrivalRate {
  private bucketStart = 0;
  private current = 0;
  private previous = 0;

  constructor(
    private readonly windowMs = 20,
    private readonly now: () => number = () => performance.now(),
  ) {}

  note(): void {
    this.roll();
    this.current += 1;
  }

  /** Arrivals per second, estimated over the last window. */
  perSecond(): number {
    this.roll();
    const half = this.windowMs / 2;
    const elapsed = Math.max(this.now() - this.bucketStart, 0);
    // The previous bucket counts for the part of it still inside the window.
    const weight = Math.max(0, (half - elapsed) / half);
    return ((this.previous * weight + this.current) / this.windowMs) * 1000;
  }

  private roll(): void {
    const t = this.now();
    const half = this.windowMs / 2;
    if (t - this.bucketStart < half) return;
    this.previous = t - this.bucketStart < 2 * half ? this.current : 0;
    this.current = 0;
    this.bucketStart = t - ((t - this.bucketStart) % half);
  }
}
