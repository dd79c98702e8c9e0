/**
 * Escalation policies, after GoAlert's: ordered steps, a repeat count, and a failsafe that is always
 * told when everything else is exhausted, so an unanswered alert is never silent.
 *
 *   escalationPolicies:
 *     - id: critical-result
 *       steps:
 *         - { delayMinutes: 0, targets: [ { recipients: rule } ] }
 *         - { delayMinutes: 2, targets: [ { onCall: hospitalist, order: 2 } ] }
 *       repeat: 1                     # rounds after the first
 *       waitAfterLastStepMinutes: 5   # after the last step, before the next round or the failsafe
 *       failsafe: { group: operators }
 */
import type { FileChecker, KeyPath } from './checks.ts';
import { parseRecipients, type RecipientCheck } from './recipients.ts';
import type { EscalationPolicy, EscalationStep, RecipientSpec } from './types.ts';

const POLICY_KEYS = ['id', 'description', 'steps', 'repeat', 'waitAfterLastStepMinutes', 'failsafe'];
const STEP_KEYS = ['delayMinutes', 'targets'];
export const DEFAULT_WAIT_AFTER_LAST_STEP_MINUTES = 5;
const MAX_STEPS = 20;
const DAY = 1440;

export function parseEscalationPolicy(
  value: unknown,
  at: KeyPath,
  check: FileChecker,
  known?: RecipientCheck,
): EscalationPolicy | undefined {
  const record = check.mapping(value, at, POLICY_KEYS);
  if (!record) return undefined;
  const before = check.problems.length;
  const id =
    record.id === undefined ? check.report([...at, 'id'], 'is required') : check.id(record.id, [...at, 'id']);
  const description =
    record.description === undefined ? undefined : check.text(record.description, [...at, 'description']);

  const steps: EscalationStep[] = [];
  const stepList =
    record.steps === undefined
      ? check.report([...at, 'steps'], 'is required')
      : check.list(record.steps, [...at, 'steps']);
  if (stepList && stepList.length === 0) check.report([...at, 'steps'], 'must have at least one step');
  if (stepList && stepList.length > MAX_STEPS)
    check.report([...at, 'steps'], `may have at most ${MAX_STEPS} steps`);
  let atMinute = 0;
  stepList?.forEach((item, i) => {
    const where = [...at, 'steps', i];
    const step = check.mapping(item, where, STEP_KEYS);
    if (!step) return;
    const delay =
      step.delayMinutes === undefined
        ? 0
        : check.minutes(step.delayMinutes, [...where, 'delayMinutes'], 0, DAY);
    const targets =
      step.targets === undefined
        ? check.report([...where, 'targets'], 'is required')
        : parseRecipients(step.targets, [...where, 'targets'], check, true, known);
    if (delay === undefined || targets === undefined) return;
    atMinute += delay;
    steps.push(Object.freeze({ delayMinutes: delay, atMinute, targets: Object.freeze(targets) }));
  });

  const repeat = record.repeat === undefined ? 0 : check.integer(record.repeat, [...at, 'repeat'], 0, 20);
  let wait: number | undefined = DEFAULT_WAIT_AFTER_LAST_STEP_MINUTES;
  if (record.waitAfterLastStepMinutes !== undefined) {
    const where = [...at, 'waitAfterLastStepMinutes'];
    wait = check.minutes(record.waitAfterLastStepMinutes, where, 0, DAY);
    if (wait === 0) wait = check.report(where, 'must be more than 0, so that someone has time to answer');
  }

  let failsafe: RecipientSpec[] | undefined;
  if (record.failsafe === undefined) {
    check.report([...at, 'failsafe'], 'is required: when every step is exhausted someone must still be told');
  } else {
    failsafe = parseRecipients(record.failsafe, [...at, 'failsafe'], check, false, known) as
      | RecipientSpec[]
      | undefined;
  }

  if (
    check.problems.length > before ||
    id === undefined ||
    repeat === undefined ||
    wait === undefined ||
    !failsafe
  ) {
    return undefined;
  }
  return Object.freeze({
    id,
    ...(description === undefined ? {} : { description }),
    steps: Object.freeze(steps),
    repeat,
    waitAfterLastStepMinutes: wait,
    roundMinutes: atMinute + wait,
    failsafe: Object.freeze(failsafe),
    at: check.at(at),
  });
}
