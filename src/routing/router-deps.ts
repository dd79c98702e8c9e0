import type { Logger } from 'pino';
import type { Hl7Limits, Hl7Message } from '../protocols/hl7/index.ts';
import type { AlertStore } from '../store/alert-port.ts';
import type { MessageStore } from '../store/port.ts';
import type { AlertService } from './alerts.ts';
import type { Clock } from './clock.ts';
import type { MessageInterpreter } from './interpreter.ts';
import type { PoisonGuardOptions } from './poison-guard.ts';
import type { RuleSet } from './rules/rule-set.ts';

/** What the router is built from: the stores, the rules in force, and the config that bounds it. */
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
  /**
   * On a shared store: how long a patient's message waits at most for an earlier one another instance has
   * not routed yet (wiring gives four leases: a survivor takes over what a dead one left within three).
   */
  patientTurnMs?: number;
}
