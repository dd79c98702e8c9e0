/**
 * One alert's changes happen one at a time: two devices answering at once, or an answer racing an
 * escalation step, must each see the other's result (a late "delivered" must not overwrite "accepted",
 * and a step must not notify after the acknowledgement that stopped it).
 */
export class AlertLocks {
  private readonly tails = new Map<number, Promise<unknown>>();

  run<T>(alertId: number, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(alertId) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(alertId, tail);
    void tail.then(() => {
      if (this.tails.get(alertId) === tail) this.tails.delete(alertId);
    });
    return next;
  }
}
