/**
 * The routing core's inbound side: stored messages in, alerts out. Messages are routed in the order they
 * were stored per patient (routing-queue.ts), paced behind ingest, each step timed against the poison
 * guard (message-routing.ts). A message's status records the outcome: routed (with its alerts),
 * filtered, unrouted, or failed.
 */
import type { Alert } from '../store/alert-port.ts';
import type { StoredMessage } from '../store/port.ts';
import { BatchDigests } from './batch-digests.ts';
import type { InboundEvent, InboundPort } from './inbound-port.ts';
import { MessageRouting } from './message-routing.ts';
import { unfinishedRoutingReason } from './poison-guard.ts';
import type { RouterDeps } from './router-deps.ts';
import { type PatientTurn, type RouterPacing, RoutingQueue } from './routing-queue.ts';

// The router is built from these; config/types.ts names the pacing section's type through the router.
export type { RouterDeps, RouterPacing };

/** Stored messages read back per query at a start (recover). */
const RECOVERY_PAGE = 10_000;

/** Without a wait from wiring: four of a cluster's default leases (30 s), as wiring gives. */
const PATIENT_TURN_MS = 120_000;

/** On a shared store, each patient's messages in the order they were stored across instances. */
function patientTurn(deps: RouterDeps): PatientTurn | undefined {
  const earlierElsewhere = deps.messages.earlierElsewhere?.bind(deps.messages);
  if (!earlierElsewhere) return undefined;
  return {
    waiting: earlierElsewhere,
    maxWaitMs: deps.patientTurnMs ?? PATIENT_TURN_MS,
    gaveUp: (messageId, waitedMs) =>
      deps.log.warn(
        { messageId, waitedMs: Math.round(waitedMs) },
        'routing a message before an earlier one about the same patient that another instance has not routed',
      ),
  };
}

export class Router implements InboundPort {
  private readonly queue: RoutingQueue;
  private readonly digests: BatchDigests;
  private stopped = false;

  constructor(
    private readonly deps: RouterDeps,
    /** Config `routing.pacing`, whose schema holds the defaults. */
    pacing: RouterPacing,
  ) {
    this.digests = new BatchDigests(deps);
    const routing = new MessageRouting(deps, this.digests);
    this.queue = new RoutingQueue(pacing, (queued) => routing.routeQueued(queued), patientTurn(deps));
  }

  accept(event: InboundEvent): void {
    if (this.stopped) return;
    this.queue.add(event, {});
  }

  /** Messages accepted and not yet routed (waiting or in flight). */
  get backlog(): number {
    return this.queue.backlog;
  }

  /**
   * Hears when the backlog reaches `routing.pacing.maxBacklog` (behind: listeners that can should stop
   * reading from their senders) and when it is down to half (caught up).
   */
  onBehind(hear: (behind: boolean, backlog: number) => void): void {
    this.queue.bound.onChange(hear);
  }

  /**
   * Hands over again what was stored but not routed before the last stop (kill -9 included). Each start
   * is recorded on the disk first; a message whose recorded starts reached `guard.maxAttempts` without
   * finishing stopped the process every time it was routed, and is quarantined instead.
   */
  async recover(): Promise<number> {
    let handed = 0;
    // A page at a time: a backlog left by a bounded stop may be far larger than memory should hold at once
    // (beyond maxQueuedBytesHeld the queue keeps ids only).
    for (let afterId = 0; ; ) {
      const page = await this.deps.messages.pending(RECOVERY_PAGE, afterId);
      for (const m of page) handed += await this.handOverAgain(m);
      if (page.length < RECOVERY_PAGE) break;
      afterId = page[page.length - 1]!.id;
    }
    // On a shared store: what instances that are gone left, and what was stored before instances were
    // recorded (the previous version routed it at the next start too).
    return handed + (await this.adoptUnrouted(0, true));
  }

  /**
   * Takes over, on a shared store, the messages instances that are gone stored and did not route (a
   * cluster's survivor does this on a timer, wiring in main.ts); `goneForMs` as MessageStore.adoptUnrouted.
   * Resolves with how many were handed to routing.
   */
  async adoptUnrouted(goneForMs: number, unowned = false): Promise<number> {
    let handed = 0;
    for (;;) {
      if (this.stopped) return handed;
      const page = await this.deps.messages.adoptUnrouted(RECOVERY_PAGE, { goneForMs, unowned });
      for (const m of page) handed += await this.handOverAgain(m);
      if (page.length < RECOVERY_PAGE) return handed;
    }
  }

  /** One stored, unrouted message: queued again, or quarantined when its routing never finished. */
  private async handOverAgain(m: StoredMessage): Promise<number> {
    if (m.routingAttempts >= this.deps.guard.maxAttempts) {
      this.deps.log.error(
        { messageId: m.id, attempts: m.routingAttempts },
        'message quarantined: its routing never finished; not routed again',
      );
      await this.deps.messages.setStatus(m.id, 'failed', unfinishedRoutingReason(m.routingAttempts));
      return 0;
    }
    const event = { messageId: m.id, listener: m.listener, raw: m.raw };
    this.queue.add(event, { recovered: true, alone: m.routingAttempts > 0 });
    return 1;
  }

  /**
   * Starts nothing more and resolves once what is in flight has finished. What was still waiting stays
   * `received` in the store, where recover() finds it at the next start; messages accepted after this are
   * left there too.
   */
  stop(): Promise<void> {
    this.stopped = true;
    return this.queue.clear();
  }

  /** Resolves when every accepted message has been routed (for tests and graceful stop). */
  drained(): Promise<void> {
    return this.queue.drained();
  }

  /** Sends the digest of every batch whose window has closed. */
  flushBatches(): Promise<Alert[]> {
    return this.digests.sendDue();
  }
}
