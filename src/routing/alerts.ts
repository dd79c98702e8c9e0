import type { Logger } from 'pino';
import type { Alert, AlertPriority, AlertStore, RecipientState } from '../store/alert-port.ts';
import type { AlertLocks } from './alert-locks.ts';
import type { Clock } from './clock.ts';
import type { EscalationEngine } from './escalation.ts';
import type { PatientContext } from './model.ts';
import { type AlertObserver, NoticePlans, type NotificationPort } from './notifications.ts';
import type { EscalationPolicy, RecipientSpec } from './rules/types.ts';

export type ClinicianAction = 'delivered' | 'read' | 'accept' | 'reject' | 'acknowledge' | 'reply';

/** Why an answer was refused, with the HTTP status the API maps it to. */
export class AlertActionError extends Error {
  constructor(
    readonly code: 'alert-not-found' | 'not-a-recipient' | 'alert-closed' | 'bad-choice',
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface RaiseAlert {
  messageId: number | null;
  source: string;
  ruleId: string;
  title: string;
  body: string;
  priority: AlertPriority;
  patient?: PatientContext;
  recipients: readonly RecipientSpec[];
  policy?: EscalationPolicy;
  dedupKey?: string;
  context?: Record<string, unknown>;
  /** The rule's reasons, for the timeline's "routed" entry. */
  reasons: string[];
}

/** States only move forward; an answer is never overwritten by a late "delivered". */
const rank: Record<RecipientState, number> = {
  queued: 0,
  failed: 0,
  delivered: 1,
  read: 2,
  accepted: 3,
  rejected: 3,
  acknowledged: 4,
};

/**
 * Alerts and the answers clinicians give. Raising resolves the rule's recipients and starts the escalation
 * policy; an accept or acknowledgement stops it for everyone; a reject moves it on at once.
 */
export class AlertService {
  private readonly observers: AlertObserver[] = [];

  constructor(
    private readonly store: AlertStore,
    private readonly escalation: EscalationEngine,
    private readonly notifier: NotificationPort,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Who hears about an alert nobody could be found for, when its rule has no escalation policy. */
    private readonly siteFailsafe: readonly RecipientSpec[],
    private readonly locks: AlertLocks,
    /** The durable notices each change causes, written with it (pages, PCD-05, WCTP status). */
    private readonly notices: NoticePlans = new NoticePlans(log),
  ) {}

  observe(o: AlertObserver): void {
    this.observers.push(o);
  }

  async raise(input: RaiseAlert): Promise<Alert> {
    const now = this.clock.now();
    const policy: EscalationPolicy = input.policy ?? {
      id: '(no policy: notify once, site failsafe if nobody)',
      steps: [
        { delayMinutes: 0, atMinute: 0, targets: [{ kind: 'ruleRecipients', at: { file: '', key: '' } }] },
      ],
      repeat: 0,
      // Never due: the timer is cleared right after the one step (a year, should a crash come between).
      waitAfterLastStepMinutes: 525_600,
      roundMinutes: 525_600,
      failsafe: this.siteFailsafe,
      at: { file: '', key: '' },
    };
    const alert = await this.store.create(
      {
        messageId: input.messageId,
        source: input.source,
        ruleId: input.ruleId,
        title: input.title,
        body: input.body,
        priority: input.priority,
        patient: (input.patient as unknown as Record<string, string>) ?? null,
        dedupKey: input.dedupKey ?? null,
        context: input.context ?? {},
        createdAt: now,
      },
      this.escalation.firstTimer(policy, input.recipients),
      (created) => this.notices.raised(created),
    );
    const event = (kind: string, detail: string) =>
      this.store.addEvent({ alertId: alert.id, at: this.clock.now(), kind, personId: null, detail });
    // Queued together, so they share one group commit (and keep their order).
    await Promise.all([
      event('received', `${input.source}${input.messageId ? ` message ${input.messageId}` : ''}`),
      event('routed', `rule ${input.ruleId}${input.reasons.length ? `: ${input.reasons.join('; ')}` : ''}`),
    ]);
    await this.escalation.start(alert);
    if (!input.policy) {
      // Without a policy there is nothing to wait for: if the one step reached someone, stop the timer;
      // if it reached nobody, the engine has already gone on to the site failsafe.
      await this.escalation.stop(alert.id);
    }
    return (await this.store.get(alert.id)) ?? alert;
  }

  /** A newer message for the same dedup key: update the alert and tell whoever has it. */
  async update(alert: Alert, changes: { title: string; body: string; priority: AlertPriority }, why: string) {
    const now = this.clock.now();
    await this.store.update(alert.id, changes, now);
    await this.store.addEvent({ alertId: alert.id, at: now, kind: 'updated', personId: null, detail: why });
    const updated = (await this.store.get(alert.id)) ?? alert;
    this.notifier.changed(updated);
    return updated;
  }

  /** Closes an alert (its source cleared it, e.g. an IHE PCD `end` phase). */
  async close(alertId: number, why: string): Promise<void> {
    const now = this.clock.now();
    await this.escalation.stop(alertId);
    const before = await this.store.get(alertId);
    // The source hears of the closing with it (a PCD-05 CANCELLED when nobody had answered yet).
    const notices = before ? this.notices.alertChanged({ ...before, status: 'closed' }) : [];
    await this.store.update(alertId, { status: 'closed' }, now, notices);
    await this.store.addEvent({ alertId, at: now, kind: 'closed', personId: null, detail: why });
    const alert = await this.store.get(alertId);
    if (alert) this.changed(alert);
  }

  respond(alertId: number, personId: string, action: ClinicianAction, choice?: string): Promise<Alert> {
    return this.locks.run(alertId, () => this.applyAnswer(alertId, personId, action, choice));
  }

  private async applyAnswer(
    alertId: number,
    personId: string,
    action: ClinicianAction,
    choice?: string,
  ): Promise<Alert> {
    const alert = await this.store.get(alertId);
    if (!alert) throw new AlertActionError('alert-not-found', `no alert ${alertId}`, 404);
    const me = (await this.store.recipients(alertId)).find((r) => r.personId === personId);
    if (!me)
      throw new AlertActionError('not-a-recipient', `alert ${alertId} was not sent to ${personId}`, 403);
    const now = this.clock.now();
    const state: RecipientState =
      action === 'accept'
        ? 'accepted'
        : action === 'reject'
          ? 'rejected'
          : action === 'delivered'
            ? 'delivered'
            : action === 'read'
              ? 'read'
              : 'acknowledged';

    if (action === 'delivered' || action === 'read') {
      if (rank[state] > rank[me.state]) {
        const notices = this.notices.recipientChanged(alert, personId, state);
        await Promise.all([
          this.store.setRecipientState(alertId, personId, state, now, notices),
          this.store.addEvent({ alertId, at: now, kind: state, personId, detail: '' }),
        ]);
        this.recipientChanged(alert, personId, state);
        this.changed(alert);
      }
      return (await this.store.get(alertId)) ?? alert;
    }
    if (alert.status !== 'open') {
      throw new AlertActionError(
        'alert-closed',
        `alert ${alertId} is already ${alert.status}${alert.acknowledgedBy ? ` by ${alert.acknowledgedBy}` : ''}`,
        409,
      );
    }
    const choices = (alert.context.choices as string[] | undefined) ?? [];
    if (action === 'reply' && (!choice || (choices.length > 0 && !choices.includes(choice)))) {
      throw new AlertActionError(
        'bad-choice',
        `choose one of: ${choices.join(', ') || '(no choices offered)'}`,
        400,
      );
    }

    await this.store.setRecipientState(
      alertId,
      personId,
      state,
      now,
      this.notices.recipientChanged(alert, personId, state),
    );
    await this.store.addEvent({
      alertId,
      at: now,
      kind: action === 'reply' ? 'replied' : state,
      personId,
      detail: choice ? `chose "${choice}"` : '',
    });
    this.recipientChanged(alert, personId, state);

    if (action === 'reject') {
      await this.escalation.escalateNow(alert, false);
      const fresh = (await this.store.get(alertId)) ?? alert;
      this.changed(fresh);
      return fresh;
    }
    // accept, acknowledge, reply: one answer stops the escalation for everyone.
    await this.escalation.stop(alertId);
    const answered = {
      status: 'acknowledged' as const,
      acknowledgedBy: personId,
      acknowledgedAt: now,
      context: choice ? { ...alert.context, reply: choice } : undefined,
    };
    await this.store.update(
      alertId,
      answered,
      now,
      this.notices.alertChanged({ ...alert, ...answered, context: answered.context ?? alert.context }),
    );
    const done = (await this.store.get(alertId)) ?? alert;
    this.changed(done);
    return done;
  }

  private recipientChanged(alert: Alert, personId: string, state: RecipientState) {
    for (const o of this.observers) {
      try {
        o.recipientChanged?.(alert, personId, state);
      } catch (err) {
        this.log.error({ err, alertId: alert.id }, 'alert observer failed');
      }
    }
  }

  private changed(alert: Alert) {
    this.notifier.changed(alert);
    for (const o of this.observers) {
      try {
        o.alertChanged?.(alert);
      } catch (err) {
        this.log.error({ err, alertId: alert.id }, 'alert observer failed');
      }
    }
  }
}
