/**
 * Source-specific routing: the interpreters for WCTP, IHE PCD, SMTP and SIP MESSAGE (in `sources/`) see a
 * stored message before the generic rules do.
 */
import type { Logger } from 'pino';
import type { Hl7Message } from '../protocols/hl7/index.ts';
import type { AlertStore } from '../store/alert-port.ts';
import type { MessageStatus } from '../store/port.ts';
import type { AlertService } from './alerts.ts';
import type { Clock } from './clock.ts';
import type { InboundEvent } from './inbound-port.ts';
import type { RuleSet } from './rules/rule-set.ts';

/** What the router knows, for interpreters that route a source of their own (WCTP, IHE PCD, SMTP, SIP). */
export interface RouteContext {
  rules: RuleSet;
  service: AlertService;
  alerts: AlertStore;
  clock: Clock;
  log: Logger;
}

/** What routing decided for one message: its status and the detail shown with it. */
export interface RoutingOutcome {
  status: MessageStatus;
  detail: string;
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
  ): Promise<RoutingOutcome | undefined>;
}
