/**
 * Escalation policies, after GoAlert's: ordered steps, a repeat count, and a failsafe that is always
 * told when everything else is exhausted, so an unanswered alert is never silent.
 *
 *   escalationPolicies:
 *     - id: critical-result
 *       steps:
 *         - { delay: 0s, targets: [ { recipients: rule } ] }
 *         - { delay: 20s, targets: [ { coverage: nurse } ], whenNobody: wait }
 *         - { delayMinutes: 2, targets: [ { onCall: hospitalist, order: 2 } ] }
 *       repeat: 1                     # rounds after the first
 *       waitAfterLastStep: 5m         # after the last step, before the next round or the failsafe
 *       failsafe: { group: operators }
 */
import type { FileChecker, KeyPath } from './checks.ts';
import { parseRecipients, type RecipientCheck } from './recipients.ts';
import type { EscalationPolicy, EscalationStep, RecipientSpec } from './types.ts';

const POLICY_KEYS = [
  'id',
  'description',
  'steps',
  'repeat',
  'waitAfterLastStep',
  'waitAfterLastStepMinutes',
  'failsafe',
];
const STEP_KEYS = ['delay', 'delayMinutes', 'targets', 'whenNobody'];
const WHEN_NOBODY = ['next', 'wait'] as const;
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
    const delay = minutesOf(step, 'delay', 'delayMinutes', where, check, 0);
    const whenNobody =
      step.whenNobody === undefined
        ? 'next'
        : check.oneOf(step.whenNobody, [...where, 'whenNobody'], WHEN_NOBODY);
    const targets =
      step.targets === undefined
        ? check.report([...where, 'targets'], 'is required')
        : parseRecipients(step.targets, [...where, 'targets'], check, true, known);
    if (delay === undefined || targets === undefined || whenNobody === undefined) return;
    atMinute += delay;
    steps.push(Object.freeze({ delayMinutes: delay, atMinute, targets: Object.freeze(targets), whenNobody }));
  });

  const repeat = record.repeat === undefined ? 0 : check.integer(record.repeat, [...at, 'repeat'], 0, 20);
  let wait = minutesOf(
    record,
    'waitAfterLastStep',
    'waitAfterLastStepMinutes',
    at,
    check,
    DEFAULT_WAIT_AFTER_LAST_STEP_MINUTES,
  );
  if (wait === 0) {
    const key = record.waitAfterLastStep === undefined ? 'waitAfterLastStepMinutes' : 'waitAfterLastStep';
    wait = check.report([...at, key], 'must be more than 0, so that someone has time to answer');
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

/**
 * A time written either with its unit (`delay: 20s`) or as a number of minutes (`delayMinutes: 2`), in
 * minutes; both at once is refused, since they could disagree.
 */
function minutesOf(
  record: Record<string, unknown>,
  withUnit: string,
  inMinutes: string,
  at: KeyPath,
  check: FileChecker,
  fallback: number,
): number | undefined {
  if (record[withUnit] !== undefined && record[inMinutes] !== undefined) {
    return check.report([...at, withUnit], `give ${withUnit} or ${inMinutes}, not both`);
  }
  if (record[withUnit] !== undefined) return check.duration(record[withUnit], [...at, withUnit], 0, DAY);
  if (record[inMinutes] !== undefined) return check.minutes(record[inMinutes], [...at, inMinutes], 0, DAY);
  return fallback;
}
