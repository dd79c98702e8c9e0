/**
 * A bound on routing's backlog. Past `pauseAt` messages acknowledged and not yet routed, the listeners
 * that can make a sender wait (MLLP: they stop reading, and TCP holds the sender's next message) are
 * told routing is behind; once the backlog is down to half, that it caught up.
 *
 * Why: acknowledging faster than routing can go builds a backlog that grows for as long as a feed lasts
 * (an ADT storm, a lab replaying a day after downtime), and every message after it waits its turn behind
 * it, a critical result from another interface included. Held at the sender instead, the backlog stays
 * about `pauseAt` long, so a new message is routed within that many messages' time of its ACK, and the
 * ACK rate a sender sees is the rate Switchboard really routes at.
 */
export class BacklogBound {
  private behindNow = false;
  private readonly hearers: Array<(behind: boolean, backlog: number) => void> = [];

  /** `pauseAt` 0 bounds nothing: listeners are never told to wait. */
  constructor(private readonly pauseAt: number) {}

  get behind(): boolean {
    return this.behindNow;
  }

  /** Hears each change; one that starts listening while routing is behind hears so at once. */
  onChange(hear: (behind: boolean, backlog: number) => void): void {
    this.hearers.push(hear);
    if (this.behindNow) hear(true, this.pauseAt);
  }

  /** Called with the backlog whenever it grows or shrinks. */
  note(backlog: number): void {
    if (this.pauseAt <= 0) return;
    if (!this.behindNow && backlog >= this.pauseAt) this.change(true, backlog);
    else if (this.behindNow && backlog <= Math.floor(this.pauseAt / 2)) this.change(false, backlog);
  }

  private change(behind: boolean, backlog: number): void {
    this.behindNow = behind;
    for (const hear of this.hearers) hear(behind, backlog);
  }
}
