import type { Logger } from 'pino';
import { type Hl7Limits, Hl7Message } from '../protocols/hl7/index.ts';
import type { Alert, AlertStore } from '../store/alert-port.ts';
import type { MessageStatus, MessageStore, StoredMessage } from '../store/port.ts';
import type { AlertService } from './alerts.ts';
import { ArrivalRate } from './arrival-rate.ts';
import type { Clock } from './clock.ts';
import type { InboundEvent, InboundPort } from './inbound-port.ts';
import type { PatientContext } from './model.ts';
import { describeLocation, patientFromMessage } from './patient-context.ts';
import {
  type PoisonGuardOptions,
  QuarantineError,
  RoutingBudget,
  unfinishedRoutingReason,
} from './poison-guard.ts';
import type { RuleSet } from './rules/rule-set.ts';
import type { RuleMatch } from './rules/types.ts';

/** What the router knows, for interpreters that route a source of their own (WCTP, IHE PCD, SMTP, SIP). */
export interface RouteContext {
  rules: RuleSet;
  service: AlertService;
  alerts: AlertStore;
  clock: Clock;
  log: Logger;
}

/**
 * A source-specific step of routing. An interpreter sees every stored message first (parsed when it is
 * HL7) and may take it: then its outcome is the message's status and the generic rules do not run.
 * Returning undefined leaves the message to the rules (HL7) or to the next interpreter.
 */
export interface MessageInterpreter {
  readonly name: string;
  interpret(
    event: InboundEvent,
    message: Hl7Message | undefined,
    ctx: RouteContext,
  ): Promise<{ status: MessageStatus; detail: string } | undefined>;
}

export interface RouterDeps {
  messages: MessageStore;
  alerts: AlertStore;
  service: AlertService;
  /** The rules in force now; taken once per message, so a reload never changes a message mid-flight. */
  rules: () => RuleSet;
  /** Keeps the census current from ADT before rules run (so a care team is up to date). */
  census?: { apply(message: Hl7Message): Promise<unknown> };
  /** Source-specific routing, tried in order before the rules (see MessageInterpreter). */
  interpreters?: MessageInterpreter[];
  /** Config `routing.limits`: how much of an HL7 message routing reads at most. */
  limits: Hl7Limits;
  /** Config `routing.poisonGuard`: time budget per message, and routing starts allowed after a restart. */
  guard: PoisonGuardOptions;
  clock: Clock;
  log: Logger;
}

/** What routing decided for one message: its status and the detail shown with it. */
interface Outcome {
  status: MessageStatus;
  detail: string;
}

/** One collected item of a batching rule, kept in the store until the digest goes out. */
interface BatchItem {
  messageId: number;
  title: string;
  body: string;
  patient?: PatientContext;
}

/**
 * The routing core's inbound side: stored messages in, alerts out. Messages are routed one at a time, in
 * the order they were stored, so an ADT transfer is in the census before the result that follows it.
 * A message's status records the outcome: routed (with its alerts), filtered, unrouted, or failed.
 */
/** How the router shares the process with ingest (see Router). */
export interface RouterPacing {
  /** Messages routed at once. Their store writes share group commits; order is kept per patient. */
  maxInFlight: number;
  /** Messages started per turn of the event loop. */
  perTurn: number;
  /** Arrivals per second above which ingest goes first. */
  burstPerSecond: number;
  /** Messages started per turn of the event loop while ingest goes first (routing never stops). */
  burstPerTurn: number;
  /** Share of the time routing takes while ingest goes first (0–1). */
  burstShare: number;
  /** Queued messages beyond which the router keeps only ids and reads the bytes back when their turn comes. */
  maxQueuedBytesHeld: number;
}

/** A message waiting for its turn; `raw` is dropped while a long backlog waits (read back from the store). */
interface Queued {
  messageId: number;
  listener: string;
  raw: Buffer | undefined;
  key: string;
  /** Handed over again after a restart: its routing start is recorded on the disk before it runs. */
  recovered?: boolean;
  /**
   * Its routing was started after an earlier restart and never finished: it runs with nothing else in
   * flight, so that if it stops the process again, it alone is counted for it.
   */
  alone?: boolean;
}

/** Stored messages read back per query at a start (recover). */
const RECOVERY_PAGE = 10_000;

export class Router implements InboundPort {
  private readonly queue: Queued[] = [];
  /** The last message in flight per ordering key (patient): each waits for the one before it. */
  private readonly chains = new Map<string, Promise<void>>();
  private inFlight = 0;
  private turnScheduled = false;
  /** A message routed alone is in flight (see Queued.alone): nothing else starts meanwhile. */
  private aloneInFlight = false;
  /** While ingest goes first, routing starts nothing before this time (performance.now()). */
  private restUntil = 0;
  private idle: Array<() => void> = [];
  private stopped = false;

  private readonly arrivals = new ArrivalRate();

  /**
   * Ingest goes first: a sender waits for its ACK, routing does not wait for anyone. While messages arrive
   * faster than `burstPerSecond` (an ADT storm, a backlog replayed after downtime), routing takes
   * `burstShare` of the time, `burstPerTurn` messages at a time, so the loop stays free to acknowledge;
   * the backlog drains at `perTurn` a turn once the burst ends. Routing never stops, and a long backlog holds ids, not bytes.
   */
  constructor(
    private readonly deps: RouterDeps,
    /** Config `routing.pacing`, whose schema holds the defaults. */
    private readonly pacing: RouterPacing,
  ) {}

  accept(event: InboundEvent): void {
    if (this.stopped) return;
    this.enqueue(event, {});
  }

  private enqueue(event: InboundEvent, how: Pick<Queued, 'recovered' | 'alone'>): void {
    this.arrivals.note();
    const held = this.queue.length < this.pacing.maxQueuedBytesHeld;
    this.queue.push({
      messageId: event.messageId,
      listener: event.listener,
      raw: held ? event.raw : undefined,
      key: orderingKey(event),
      ...how,
    });
    this.pump();
  }

  /** Messages accepted and not yet routed (waiting or in flight). */
  get backlog(): number {
    return this.queue.length + this.inFlight;
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
      if (page.length < RECOVERY_PAGE) return handed;
      afterId = page[page.length - 1]!.id;
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
    this.enqueue(event, { recovered: true, alone: m.routingAttempts > 0 });
    return 1;
  }

  /**
   * Starts nothing more and resolves once what is in flight has finished. What was still waiting stays
   * `received` in the store, where recover() finds it at the next start; messages accepted after this are
   * left there too.
   */
  stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    return this.drained();
  }

  /** Resolves when every accepted message has been routed (for tests and graceful stop). */
  drained(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * Routes several messages at once, but those about the same patient strictly in the order they were
   * stored: an ADT transfer is in the census before the result that follows it, and two results for one
   * patient dedup in order.
   */
  private pump(): void {
    if (this.turnScheduled || this.blocked()) return;
    this.turnScheduled = true;
    setImmediate(this.runTurn);
  }

  /**
   * One turn of the event loop's routing: starts a few messages, then lets the loop serve sockets again.
   * A routed message runs mostly without waiting (its store writes apply at once), so the number started
   * per turn bounds how long routing holds the loop: during a burst only `burstPerTurn`.
   */
  private readonly runTurn = () => {
    this.turnScheduled = false;
    const burst = this.arrivals.perSecond() > this.pacing.burstPerSecond;
    const rest = burst ? this.restUntil - performance.now() : 0;
    if (rest > 0) {
      // Routing had its share of this burst's time; ingest has the loop until then.
      this.turnScheduled = true;
      setTimeout(this.runTurn, Math.ceil(rest));
      return;
    }
    const perTurn = burst ? this.pacing.burstPerTurn : this.pacing.perTurn;
    for (let started = 0; started < perTurn; started++) {
      if (this.blocked()) break;
      this.start(this.queue.shift()!);
    }
    this.pump();
  };

  /** True when the next message cannot start now (none waiting, too many in flight, or one runs alone). */
  private blocked(): boolean {
    const next = this.queue[0];
    if (next === undefined || this.inFlight >= this.pacing.maxInFlight || this.aloneInFlight) return true;
    return next.alone === true && this.inFlight > 0;
  }

  private start(queued: Queued): void {
    const key = queued.key;
    this.inFlight += 1;
    if (queued.alone) this.aloneInFlight = true;
    const run = (this.chains.get(key) ?? Promise.resolve()).then(async () => {
      const startedAt = performance.now();
      await this.routeQueued(queued);
      // A message that took d ms (it rarely waits: its writes apply at once) rests routing
      // d × (1 / share − 1) ms while a burst lasts.
      const took = performance.now() - startedAt;
      this.restUntil = performance.now() + took * (1 / this.pacing.burstShare - 1);
    });
    this.chains.set(key, run);
    void run.then(() => {
      this.inFlight -= 1;
      if (queued.alone) this.aloneInFlight = false;
      if (this.chains.get(key) === run) this.chains.delete(key);
      this.pump();
      if (this.inFlight === 0 && this.queue.length === 0)
        for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  private async routeQueued(queued: Queued): Promise<void> {
    let raw = queued.raw;
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
    await this.routeSafely({ messageId: queued.messageId, listener: queued.listener, raw });
  }

  /**
   * Routes one message and records its outcome. Whatever a step throws, or a budget spent, the message
   * is `failed` with the reason (quarantined: never routed again by itself) and the next one goes on.
   */
  private async routeSafely(event: InboundEvent): Promise<void> {
    const { deps } = this;
    let message: Hl7Message | undefined;
    let outcome: Outcome;
    try {
      const budget = new RoutingBudget(deps.guard.budgetMs);
      message = await budget.step('parse', () => this.parse(event));
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

  /** The HL7 message, read lazily within routing.limits; undefined for other listeners' payloads. */
  private parse(event: InboundEvent): Hl7Message | undefined {
    const hl7 =
      event.listener === 'mllp' ||
      event.raw
        .subarray(0, 6)
        .toString('latin1')
        .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
        .startsWith('MSH');
    return hl7 ? Hl7Message.parse(event.raw, { limits: this.deps.limits }) : undefined;
  }

  /** What becomes of one message, step by step, each step counted against the budget. */
  private async route(
    event: InboundEvent,
    message: Hl7Message | undefined,
    budget: RoutingBudget,
  ): Promise<Outcome> {
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

  private async raise(match: RuleMatch, message: Hl7Message, event: InboundEvent): Promise<string> {
    const { deps } = this;
    const now = deps.clock.now();
    if (match.batchMinutes && match.batchKey) {
      const item: BatchItem = {
        messageId: event.messageId,
        title: match.title,
        body: match.body,
        patient: patientFromMessage(message),
      };
      const batch = await deps.alerts.addToBatch(
        match.batchKey,
        match.rule.id,
        new Date(now.getTime() + match.batchMinutes * 60_000),
        item,
      );
      return `batched under ${match.batchKey} (${batch.items.length} so far, digest at ${batch.dueAt.toISOString()})`;
    }
    if (match.dedupKey) {
      const since = new Date(now.getTime() - (match.dedupWindowMinutes ?? 30) * 60_000);
      const open = await deps.alerts.findOpenByDedupKey(match.dedupKey, since);
      if (open) {
        await deps.service.update(
          open,
          { title: match.title, body: match.body, priority: match.priority },
          `message ${event.messageId} has the same dedup key (rule ${match.rule.id})`,
        );
        return `alert ${open.id} updated (dedup)`;
      }
    }
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

  /** Sends the digest of every batch whose window has closed. */
  async flushBatches(): Promise<Alert[]> {
    const { deps } = this;
    const raised: Alert[] = [];
    for (const batch of await deps.alerts.takeDueBatches(deps.clock.now())) {
      const rule = deps.rules().rule(batch.ruleId);
      const items = batch.items as BatchItem[];
      const policy = rule?.escalationPolicyId ? deps.rules().policy(rule.escalationPolicyId) : undefined;
      raised.push(
        await deps.service.raise({
          messageId: null,
          source: 'batch',
          ruleId: batch.ruleId,
          title: `${items.length} × ${items[0]?.title ?? batch.ruleId}`,
          body: items.map((i) => `• ${i.title}${i.body ? ` — ${i.body}` : ''}`).join('\n'),
          priority: rule?.priority ?? 'normal',
          // Recipients are resolved against the batch's first message: key a batch by whatever decides
          // who gets it (unit, primary care provider) when one rule's messages go to different people.
          patient: items[0]?.patient,
          recipients: rule?.recipients ?? [],
          policy,
          reasons: [
            `digest of ${items.length} message(s) collected by rule ${batch.ruleId}: ${items.map((i) => i.messageId).join(', ')}`,
          ],
        }),
      );
    }
    return raised;
  }
}

/** The patient an HL7 message is about (PID-3.1), read cheaply. */
function orderingKey(event: InboundEvent): string {
  const text = event.raw.toString('latin1', 0, Math.min(event.raw.length, 4096));
  const at = text.search(/[\r\n]PID./);
  // Not HL7 (WCTP, mail, SIP MESSAGE): each is about its own recipient, nothing to keep in order.
  if (at < 0) return `${event.listener}#${event.messageId}`;
  const sep = text[at + 4];
  const pid3 =
    text
      .slice(at + 1)
      .split(/[\r\n]/)[0]
      .split(sep)[3] ?? '';
  const component = text[4] ?? '^';
  return `${event.listener}:${pid3.split(component)[0]}`;
}
