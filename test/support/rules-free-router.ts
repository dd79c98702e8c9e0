import pino from 'pino';
import { DEFAULT_HL7_LIMITS } from '../../src/protocols/hl7/index.ts';
import type { AlertService } from '../../src/routing/alerts.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import type { MessageInterpreter } from '../../src/routing/interpreter.ts';
import { Router } from '../../src/routing/router.ts';
import type { RuleSet } from '../../src/routing/rules/rule-set.ts';
import type { Store } from '../../src/store/port.ts';

/**
 * A Router on `store` with no rules and no alerts: only `interpreters` decide each message's outcome, so
 * a test sees the queue's order, the poison guard and the store's hand-overs, nothing else.
 */
export function rulesFreeRouter(
  store: Store,
  interpreters: MessageInterpreter[],
  guard = { budgetMs: 2000, maxAttempts: 2 },
): Router {
  return new Router(
    {
      messages: store.messages,
      alerts: store.alerts,
      service: {} as AlertService,
      rules: () => ({ evaluate: () => [] }) as unknown as RuleSet,
      interpreters,
      limits: DEFAULT_HL7_LIMITS,
      guard,
      clock: new ManualClock('2026-01-15T08:30:00Z'),
      log: pino({ level: 'silent' }),
    },
    {
      maxInFlight: 8,
      perTurn: 8,
      burstPerSecond: 10_000,
      burstPerTurn: 1,
      burstShare: 0.5,
      maxQueuedBytesHeld: 100,
      maxBacklog: 0,
    },
  );
}
