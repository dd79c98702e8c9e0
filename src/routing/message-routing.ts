/**
 * The steps of routing one stored message, each timed against the poison guard's budget: parse, census,
 * each interpreter, rules, each alert. A message whose routing throws or runs over is quarantined
 * (`failed` with the reason) and the next one goes on.
 */
import type { Hl7Message } from '../protocols/hl7/index.ts';
import type { BatchDigests } from './batch-digests.ts';
import { updateDuplicate } from './dedup.ts';
import { readHl7 } from './hl7-sniff.ts';
import type { InboundEvent } from './inbound-port.ts';
import type { RouteContext, RoutingOutcome } from './interpreter.ts';
import { describeLocation, patientFromMessage } from './patient-context.ts';
import { QuarantineError, RoutingBudget } from './poison-guard.ts';
import type { RouterDeps } from './router-deps.ts';
import type { QueuedMessage } from './routing-queue.ts';
import type { RuleMatch } from './rules/types.ts';

export class MessageRouting {
  constructor(
    private readonly deps: RouterDeps,
    private readonly digests: BatchDigests,
  ) {}

  /** Routes one message from the queue; it never rejects (the outcome is the message's status). */
  async routeQueued(queued: QueuedMessage): Promise<void> {
    let raw = queued.raw;
    const read = raw ? queued.read : undefined;
    if (!raw) {
      const stored = await this.deps.messages.get(queued.messageId).catch(() => undefined);
      // Gone (or unreadable) now: it stays as it is in the store and is handed over again at the next start.
      if (!stored) return;
      raw = stored.raw;
    }
    if (queued.recovered) {
      // On the disk before routing starts: if this message stops the process, the next start knows.
      const recorded = await this.deps.messages.routingStarted(queued.messageId).catch((err: unknown) => {
        this.deps.log.error({ err, messageId: queued.messageId }, 'could not record a routing start');
        return undefined;
      });
      // Not recorded: it stays `received` and is handed over again at the next start.
      if (recorded === undefined) return;
    }
    await this.routeSafely({
      messageId: queued.messageId,
      listener: queued.listener,
      raw,
      ...(read !== undefined ? { read } : {}),
    });
  }

  /**
   * Routes one message and records its outcome. Whatever a step throws, or a budget spent, the message
   * is `failed` with the reason (quarantined: never routed again by itself) and the next one goes on.
   */
  private async routeSafely(event: InboundEvent): Promise<void> {
    const { deps } = this;
    let message: Hl7Message | undefined;
    let outcome: RoutingOutcome;
    try {
      const budget = new RoutingBudget(deps.guard.budgetMs);
      message = await budget.step('parse', () => readHl7(event, deps.limits));
      outcome = await this.route(event, message, budget);
    } catch (err) {
      const quarantined = err instanceof QuarantineError;
      const reason = quarantined
        ? `quarantined: ${err.message}`
        : `routing failed: ${(err as Error).message}`;
      deps.log.error(
        { messageId: event.messageId, ...(quarantined ? { reason } : { err }) },
        'message quarantined: routing did not finish',
      );
      outcome = { status: 'failed', detail: reason };
    }
    const cut = message?.limitSummary();
    if (cut) {
      // Positions and counts only, never values: this line goes to the log.
      deps.log.warn(
        { messageId: event.messageId, limits: cut },
        'message read in part: it is over routing.limits',
      );
      outcome.detail += `; read in part (over routing.limits): ${cut}`;
    }
    await deps.messages.setStatus(event.messageId, outcome.status, outcome.detail).catch((err: unknown) => {
      deps.log.error({ err, messageId: event.messageId }, 'could not record the routing outcome');
    });
  }

  /** What becomes of one message, step by step, each step counted against the budget. */
  private async route(
    event: InboundEvent,
    message: Hl7Message | undefined,
    budget: RoutingBudget,
  ): Promise<RoutingOutcome> {
    const { deps } = this;
    const rules = deps.rules();
    const ctx: RouteContext = {
      rules,
      service: deps.service,
      alerts: deps.alerts,
      clock: deps.clock,
      log: deps.log,
    };
    const census = deps.census;
    if (message?.header.messageType === 'ADT' && census) {
      await budget.step('census', () =>
        census.apply(message).catch((err) => {
          deps.log.warn(
            { messageId: event.messageId, err: (err as Error).message },
            'census could not apply ADT',
          );
        }),
      );
    }
    for (const interpreter of deps.interpreters ?? []) {
      const outcome = await budget.step(`interpreter ${interpreter.name}`, () =>
        interpreter.interpret(event, message, ctx),
      );
      if (outcome) return outcome;
    }
    if (!message) return { status: 'unrouted', detail: `no interpreter took this ${event.listener} message` };
    const matches = await budget.step('rules', () =>
      rules.evaluate({ message, listener: event.listener, at: deps.clock.now().getTime() }),
    );
    if (matches.length === 0) return { status: 'unrouted', detail: 'no rule matched' };
    if (matches[0].filtered) return { status: 'filtered', detail: `rule ${matches[0].rule.id}` };
    // Routed before a crash, but not marked: do not raise the alerts a second time.
    const earlier = await deps.alerts.forMessage(event.messageId);
    if (earlier.length) return { status: 'routed', detail: earlier.map((a) => `alert ${a.id}`).join('; ') };
    const outcomes: string[] = [];
    for (const match of matches) {
      outcomes.push(await budget.step(`rule ${match.rule.id}`, () => this.raise(match, message, event)));
    }
    return { status: 'routed', detail: outcomes.join('; ') };
  }

  /** One matched rule: into its batch, onto the open alert with the same dedup key, or a new alert. */
  private async raise(match: RuleMatch, message: Hl7Message, event: InboundEvent): Promise<string> {
    const { deps } = this;
    const now = deps.clock.now();
    const batched = await this.digests.collect(match, message, event.messageId, now);
    if (batched !== undefined) return batched;
    const updated = await updateDuplicate(match, event.messageId, now, deps);
    if (updated !== undefined) return updated;
    const patient = patientFromMessage(message);
    const alert = await deps.service.raise({
      messageId: event.messageId,
      source: event.listener,
      ruleId: match.rule.id,
      title: match.title,
      body: match.body,
      priority: match.priority,
      patient: patient
        ? { ...patient, ...(patient.location ? { where: describeLocation(patient.location) } : {}) }
        : undefined,
      recipients: match.recipients,
      policy: match.escalationPolicy,
      dedupKey: match.dedupKey,
      reasons: match.reasons,
    });
    return `alert ${alert.id}`;
  }
}
