import type { Logger } from 'pino';
import { eachAtMost } from '../kit/at-most.ts';
import type { Alert, AlertStore, EscalationTimer, NotifiedWrite } from '../store/alert-port.ts';
import type { AlertLocks } from './alert-locks.ts';
import type { Clock } from './clock.ts';
import type { PatientContext } from './model.ts';
import { NoticePlans, type NotificationPort } from './notifications.ts';
import type { RecipientResolver, RuleRecipients } from './recipient-resolver.ts';
import type { EscalationPolicy, RecipientSpec } from './rules/types.ts';

const MINUTE = 60_000;

/** Alerts whose due steps run at once in a cycle (see EscalationEngine.tick). */
const STEPS_AT_ONCE = 16;

/** Due steps a cycle takes at most; more wait for the next cycle, which runs at once. */
const STEPS_PER_CYCLE = 500;

/** What a cycle of the engine looked at. */
export interface EscalationLook {
  /** Due steps this engine took (run, or found answered meanwhile). */
  taken: number;
  /**
   * Every step due at `at` that this engine could take was taken: a step still due at `at` is one whose
   * run failed (retried at the next poll) or one another instance holds.
   */
  tookAll: boolean;
  at: Date;
}

/** Minutes to milliseconds, exact for delays written in seconds (`20s` is a third of a minute). */
const millis = (minutes: number) => Math.round(minutes * MINUTE);

/**
 * The next step is due its delay after this step was due, not after it happened to run, so a late cycle
 * does not push every later step back. When the engine was stopped longer than the delay (a restart), the
 * delay counts from now instead: the people just paged still get their whole delay to answer.
 */
export function nextDue(stepDue: Date, delayMinutes: number, now: Date): Date {
  const due = stepDue.getTime() + millis(delayMinutes);
  return new Date(due >= now.getTime() ? due : now.getTime() + millis(delayMinutes));
}

/**
 * Escalation as durable state (GoAlert's way): each open alert with a policy has one timer row saying which
 * step falls due when. `tick()` runs whatever is due; after a restart the next tick picks up where the last
 * process stopped, so kill -9 loses no escalation.
 *
 * A policy runs its steps in order (each after its delay), then `repeat` more rounds, then the failsafe:
 * never silence. A step that resolves to nobody is skipped at once rather than waited out (unless it says
 * `whenNobody: wait`). Each step is due relative to the step before's due time, not its run time. An
 * acknowledgement or acceptance clears the timer for everyone; a rejection runs the next step at once.
 */
export class EscalationEngine {
  constructor(
    private readonly alerts: AlertStore,
    private readonly resolver: RecipientResolver,
    private readonly notifier: NotificationPort,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly locks: AlertLocks,
    /** The pages a notification causes, written with the recipient row and its timeline entry. */
    private readonly notices: NoticePlans = new NoticePlans(log),
  ) {}

  /** Told of every timer this engine writes, after the write (the routing cycle wakes itself for it). */
  private timerSet: (dueAt: Date) => void = () => {};

  whenTimerSet(listener: (dueAt: Date) => void): void {
    this.timerSet = listener;
  }

  /** The first timer of a policy: the alert is created with it, in one transaction. */
  firstTimer(policy: EscalationPolicy, ruleRecipients: RuleRecipients): Omit<EscalationTimer, 'alertId'> {
    return {
      policy,
      ruleRecipients,
      nextStep: 0,
      pass: 0,
      dueAt: new Date(this.clock.now().getTime() + millis(policy.steps[0]?.delayMinutes ?? 0)),
    };
  }

  /** Runs the first step of a new alert's policy now, when it is due now. */
  async start(alert: Alert): Promise<void> {
    await this.locks.run(alert.id, async () => {
      const timer = await this.alerts.timer(alert.id);
      if (timer && timer.dueAt <= this.clock.now()) await this.advance(timer, alert);
      else if (timer) this.timerSet(timer.dueAt);
    });
  }

  /**
   * Runs every due step, several alerts at once: a step waits on the store (PostgreSQL is a round trip
   * away), and 10,000 steps due together would otherwise run one round trip after another. Each alert's
   * steps still run one at a time, under its lock.
   */
  async tick(): Promise<EscalationLook> {
    const at = this.clock.now();
    const due = await this.alerts.dueTimers(at, STEPS_PER_CYCLE);
    await eachAtMost(due, STEPS_AT_ONCE, async (entry) => {
      try {
        await this.locks.run(entry.alertId, async () => {
          // Re-read under the lock: an answer may have stopped or moved the escalation meanwhile.
          const timer = await this.alerts.timer(entry.alertId);
          const alert = await this.alerts.get(entry.alertId);
          if (!timer || timer.dueAt > this.clock.now()) return;
          if (alert?.status !== 'open') return this.alerts.clearTimer(entry.alertId);
          await this.advance(timer, alert);
        });
      } catch (err) {
        this.log.error({ err, alertId: entry.alertId }, 'escalation step failed; retrying next tick');
      }
    });
    return { taken: due.length, tookAll: due.length < STEPS_PER_CYCLE, at };
  }

  /** When the earliest pending step falls due, if any; with `after`, the earliest due later than that. */
  nextDue(after?: Date): Promise<Date | undefined> {
    return this.alerts.nextTimerDue(after);
  }

  /** A rejection: the next step is due now. Callers already holding the alert's lock pass lock=false. */
  async escalateNow(alert: Alert, lock = true): Promise<void> {
    const run = async () => {
      const timer = await this.alerts.timer(alert.id);
      if (timer) await this.advance({ ...timer, dueAt: this.clock.now() }, alert);
    };
    await (lock ? this.locks.run(alert.id, run) : run());
  }

  async stop(alertId: number): Promise<void> {
    await this.alerts.clearTimer(alertId);
  }

  /**
   * Runs the timer's step (skipping steps that find nobody) and moves the timer to the one after, in one
   * write (AlertStore.stepRan); the people's devices hear of it after that write.
   */
  private async advance(timer: EscalationTimer, alert: Alert): Promise<void> {
    const policy = timer.policy as EscalationPolicy;
    const ruleRecipients = timer.ruleRecipients as RuleRecipients;
    let { nextStep: step, pass } = timer;
    const now = this.clock.now();
    const patient = (alert.patient ?? undefined) as PatientContext | undefined;
    const stepWrites = new StepWrites(alert, this.clock);

    for (;;) {
      if (step >= policy.steps.length) {
        if (pass < policy.repeat) {
          pass += 1;
          step = 0;
          stepWrites.event('escalated', `round ${pass + 1} of ${policy.repeat + 1} of policy ${policy.id}`);
          continue;
        }
        const unreachable = await this.failsafe(stepWrites, policy.failsafe, now, patient);
        await this.alerts.stepRan({ alertId: alert.id, writes: stepWrites.writes });
        this.tell(alert, stepWrites);
        if (unreachable)
          this.log.error({ alertId: alert.id }, 'failsafe resolved to nobody: alert unanswered');
        return;
      }
      const s = policy.steps[step];
      const { recipients, notes } = await this.resolver.resolveAll(s.targets, {
        patient,
        at: now,
        ruleRecipients,
      });
      // A later step or round is written as "escalated" before the pages it sends: the cause first.
      const escalation =
        step > 0 || pass > 0 ? `step ${step + 1} of policy ${policy.id}, round ${pass + 1}` : undefined;
      const added = await this.notifyAll(stepWrites, recipients, step, pass, now, escalation);
      if (added === 0) {
        stepWrites.event(
          'skipped',
          `step ${step + 1} of policy ${policy.id} ${skippedBecause(recipients.length, notes)}`,
        );
        if (s.whenNobody !== 'wait') {
          step += 1;
          continue; // a step that resolves to nobody is skipped, not waited out
        }
      }
      const nextDelay =
        step + 1 < policy.steps.length
          ? policy.steps[step + 1].delayMinutes
          : policy.waitAfterLastStepMinutes;
      const dueAt = nextDue(timer.dueAt, nextDelay, now);
      await this.alerts.stepRan({
        alertId: alert.id,
        writes: stepWrites.writes,
        next: { ...timer, nextStep: step + 1, pass, dueAt },
      });
      this.tell(alert, stepWrites);
      if (added > 0 && (step > 0 || pass > 0)) this.notifier.changed(alert);
      this.timerSet(dueAt);
      return;
    }
  }

  /** The people a written step notified hear of it now. */
  private tell(alert: Alert, step: StepWrites): void {
    for (const personId of step.told) this.notifier.notify(personId, alert);
  }

  /** Adds the failsafe's writes to the step's; true when it resolved to nobody at all. */
  private async failsafe(
    step: StepWrites,
    specs: readonly RecipientSpec[],
    now: Date,
    patient?: PatientContext,
  ): Promise<boolean> {
    const { alert } = step;
    const { recipients, notes } = await this.resolver.resolveAll(specs, { patient, at: now });
    // The failsafe is told even if already notified: it must know every step ran out.
    const all = await this.alerts.recipients(alert.id);
    for (const r of recipients) {
      const known = all.some((x) => x.personId === r.personId);
      step.notify(r.personId, {
        recipient: known ? undefined : newRecipient(alert, r.personId, -1, `failsafe: ${r.reason}`, now),
        notices: this.notices.notified(r.personId, alert),
      });
    }
    const who = recipients.map((r) => r.personId).join(', ') || 'nobody';
    const detail = `every step exhausted; failsafe notified: ${who}${notes.length ? ` (${notes.join('; ')})` : ''}`;
    if (recipients.length) {
      step.event('failsafe', detail);
      return false;
    }
    // Nobody at all: the entry and what the alert's source is told of it (PCD-05 UNDELIVERABLE) together.
    step.event('failsafe', detail, this.notices.unreachable(alert));
    return true;
  }

  /**
   * Notifies the step's people. On the first round only people not yet on the alert count; on a repeat round
   * everyone the step names is paged again, except those who rejected it.
   */
  private async notifyAll(
    stepWrites: StepWrites,
    recipients: { personId: string; reason: string }[],
    step: number,
    pass: number,
    now: Date,
    escalation?: string,
  ) {
    const { alert } = stepWrites;
    const existing = new Map((await this.alerts.recipients(alert.id)).map((r) => [r.personId, r]));
    let notified = 0;
    for (const r of recipients) {
      const known = existing.get(r.personId);
      if (known && (pass === 0 || known.state === 'rejected')) continue;
      if (notified === 0 && escalation) stepWrites.event('escalated', escalation);
      notified += 1;
      stepWrites.notify(r.personId, {
        recipient: known ? undefined : newRecipient(alert, r.personId, step, r.reason, now),
        event: {
          alertId: alert.id,
          at: this.clock.now(),
          kind: 'notified',
          personId: r.personId,
          detail: known ? `${r.reason} (repeat, round ${pass + 1})` : r.reason,
        },
        notices: this.notices.notified(r.personId, alert),
      });
    }
    return notified;
  }
}

/** What a step writes, in the order the timeline shows it, and whom it tells once written. */
class StepWrites {
  readonly writes: NotifiedWrite[] = [];
  readonly told: string[] = [];

  constructor(
    readonly alert: Alert,
    private readonly clock: Clock,
  ) {}

  event(kind: string, detail: string, notices?: NotifiedWrite['notices']): void {
    this.writes.push({
      event: { alertId: this.alert.id, at: this.clock.now(), kind, personId: null, detail },
      notices,
    });
  }

  notify(personId: string, write: NotifiedWrite): void {
    this.writes.push(write);
    this.told.push(personId);
  }
}

/** A person's row on an alert, queued until their device hears of it. */
function newRecipient(alert: Alert, personId: string, step: number, reason: string, notifiedAt: Date) {
  return { alertId: alert.id, personId, state: 'queued' as const, step, reason, notifiedAt };
}

/**
 * Why a step paged no one, for the timeline: the targets' own notes when they found nobody ("nobody on call
 * for Cardiology at …"); "already notified" only when they named people who all had the alert.
 */
function skippedBecause(found: number, notes: string[]): string {
  if (found === 0) return `notified nobody: ${notes.length ? notes.join('; ') : 'its targets name nobody'}`;
  const more = notes.length ? ` (${notes.join('; ')})` : '';
  return `found no one new: everyone it names was already notified${more}`;
}
