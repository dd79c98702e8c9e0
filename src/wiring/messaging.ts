/**
 * Clinician messaging put together, called from main.ts: addressing on the routing model, the service on
 * the conversation store and the alert service, a timer that turns unread urgent messages into alerts
 * when they fall due, and a daily retention purge.
 */
import type { Logger } from 'pino';
import type { Census } from '../census/census.ts';
import type { SwitchboardConfig } from '../config/types.ts';
import type { AlertService } from '../routing/alerts.ts';
import type { Clock } from '../routing/clock.ts';
import { MessageAddressing } from '../routing/messaging/addressing.ts';
import { MessagingService } from '../routing/messaging/messaging-service.ts';
import type { PatientContext, RoutingModel } from '../routing/model.ts';
import type { RecipientResolver } from '../routing/recipient-resolver.ts';
import type { EscalationPolicy } from '../routing/rules/types.ts';
import type { Store } from '../store/port.ts';
import type { Duty, DutyRoster } from './duty-roster.ts';

/** The safety-net look for unread urgent messages; a due time is also waited for exactly. */
const LOOK_EVERY_MS = 15_000;

export interface MessagingWiring {
  service: MessagingService;
  stop(): void;
}

export function wireMessaging(options: {
  store: Store;
  model: RoutingModel;
  resolver: RecipientResolver;
  alerts: AlertService;
  census: Census;
  settings: SwitchboardConfig['messaging'];
  /** The escalation policies the rules define now (they reload). */
  policies: () => ReadonlyMap<string, EscalationPolicy>;
  nameOf: (id: string) => string | undefined;
  groupName: (id: string) => string | undefined;
  clock: Clock;
  log: Logger;
  /**
   * The instance's roster of cluster duties: the look for unread urgent messages and the retention purge
   * are two (`urgent-message-escalation`, `conversation-purge`), so a cluster raises each overdue alert
   * from one instance. Absent, this instance runs both.
   */
  duties?: DutyRoster;
}): MessagingWiring {
  const { settings, log } = options;
  if (settings.urgentPolicy && !options.policies().has(settings.urgentPolicy)) {
    throw new Error(`messaging.urgentPolicy: no escalation policy ${settings.urgentPolicy} in the rules`);
  }
  const patient = async (mrn: string): Promise<PatientContext | undefined> => {
    const p = await options.census.patient(mrn);
    if (!p) return undefined;
    const visit = await options.census.activeVisit(p.mrn);
    const name = [p.family, p.given].filter(Boolean).join(', ') || undefined;
    const l = visit?.location;
    const location = l?.unit
      ? {
          unit: l.unit,
          room: l.room || undefined,
          bed: l.bed || undefined,
          facility: l.facility || undefined,
        }
      : undefined;
    return { mrn: p.mrn, name, location };
  };
  const service = new MessagingService({
    store: options.store.conversations,
    addressing: new MessageAddressing(options.model, options.resolver, options.groupName),
    audit: options.store.audit,
    alerts: options.alerts,
    urgentPolicy: () => {
      if (!settings.urgentPolicy) return undefined;
      const policy = options.policies().get(settings.urgentPolicy);
      if (!policy)
        log.warn({ policy: settings.urgentPolicy }, 'messaging.urgentPolicy is gone from the rules');
      return policy;
    },
    patient,
    nameOf: options.nameOf,
    settings,
    clock: options.clock,
    log,
  });

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  // Off duty on a cluster, the instance on duty looks within LOOK_EVERY_MS, also for a message sent here.
  let onDuty = !options.duties;
  let duty: Duty | undefined;
  const escalate = () => (duty ? duty.turn(() => service.escalateOverdue()) : service.escalateOverdue());
  const look = async () => {
    timer = undefined;
    if (stopped || !onDuty) return;
    try {
      await escalate();
    } catch (err) {
      log.error({ err }, 'unread urgent messages could not be escalated');
    }
    if (stopped || !onDuty) return;
    const next = await service.nextEscalation().catch(() => undefined);
    const wait = next ? Math.max(0, next.getTime() - options.clock.now().getTime()) : LOOK_EVERY_MS;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void look(), Math.min(wait, LOOK_EVERY_MS));
    timer.unref();
  };
  const purge = () =>
    service.purge().catch((err) => log.error({ err }, 'conversation retention purge failed'));
  let purgeTimer: NodeJS.Timeout | undefined;
  if (options.duties) {
    duty = options.duties.add('urgent-message-escalation', {
      begin: () => {
        onDuty = true;
        void look();
      },
      end: () => {
        onDuty = false;
        if (timer) clearTimeout(timer);
        timer = undefined;
      },
    });
    options.duties.every('conversation-purge', 86_400_000, purge, { atOnce: false });
  } else {
    void look();
    purgeTimer = setInterval(() => void purge(), 86_400_000);
    purgeTimer.unref();
  }
  // A new urgent message may fall due before the next look: look again when one is sent.
  service.deliverThrough({
    message: (_person, _conversation, message) => {
      if (message.priority !== 'urgent' || stopped || !onDuty) return;
      if (timer) clearTimeout(timer);
      const wait = settings.urgentUnreadMinutes * 60_000;
      timer = setTimeout(() => void look(), Math.min(wait, LOOK_EVERY_MS));
      timer.unref();
    },
    receipt: () => {},
  });

  return {
    service,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      clearInterval(purgeTimer);
    },
  };
}
