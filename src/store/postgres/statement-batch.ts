/**
 * Requests of one kind sent to the database together, one statement for many: those made in one turn of
 * the event loop, and, while a statement is on its way, every one made meanwhile (group commit's rule, so
 * a batch grows with the load and an idle instance waits for nothing). Routing sets the status of every
 * message it routes, and asks for each whether its patient waits elsewhere: a statement each otherwise.
 * Each caller gets its own answer; a failed statement fails every request in it, and the next goes on.
 */
export class StatementBatch<I, O> {
  private open?: { items: I[]; done: Promise<O[]> };
  /** The statement sent last, settled or not: the next one waits for it. */
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    /** Answers every item, in order. */
    private readonly run: (items: readonly I[]) => Promise<O[]>,
    private readonly max = 500,
  ) {}

  /** Resolves once every request made so far has been sent and answered (failed ones included). */
  async settled(): Promise<void> {
    let last: Promise<unknown>;
    do {
      last = this.last;
      await last.catch(() => {});
    } while (last !== this.last);
  }

  add(item: I): Promise<O> {
    if (!this.open || this.open.items.length >= this.max) {
      const items: I[] = [];
      const turn = new Promise<void>((resolve) => setImmediate(resolve));
      const done = Promise.all([turn, this.last.catch(() => {})]).then(() => {
        if (this.open?.items === items) this.open = undefined;
        return this.run(items);
      });
      this.last = done;
      this.open = { items, done };
    }
    const index = this.open.items.push(item) - 1;
    return this.open.done.then((answers) => answers[index]);
  }
}
