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
  const look = async () => {
    timer = undefined;
    if (stopped) return;
    try {
      await service.escalateOverdue();
    } catch (err) {
      log.error({ err }, 'unread urgent messages could not be escalated');
    }
    if (stopped) return;
    const next = await service.nextEscalation().catch(() => undefined);
    const wait = next ? Math.max(0, next.getTime() - options.clock.now().getTime()) : LOOK_EVERY_MS;
    timer = setTimeout(() => void look(), Math.min(wait, LOOK_EVERY_MS));
    timer.unref();
  };
  void look();
  // A new urgent message may fall due before the next look: look again when one is sent.
  service.deliverThrough({
    message: (_person, _conversation, message) => {
      if (message.priority !== 'urgent' || stopped) return;
      if (timer) clearTimeout(timer);
      const wait = settings.urgentUnreadMinutes * 60_000;
      timer = setTimeout(() => void look(), Math.min(wait, LOOK_EVERY_MS));
      timer.unref();
    },
    receipt: () => {},
  });
  const purge = setInterval(() => {
    void service.purge().catch((err) => log.error({ err }, 'conversation retention purge failed'));
  }, 86_400_000);
  purge.unref();

  return {
    service,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      clearInterval(purge);
    },
  };
}
