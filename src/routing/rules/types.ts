/**
 * The data that routing rules and escalation policies are made of, once loaded and checked. Recipient
 * specs are data here: turning "on call for hospitalist, first in call order" into a person is the
 * routing core's job (it knows the schedules, the directory and the census), not the rules'.
 */

/** How urgent an alert is; the clinician's page shows it and plays a distinct sound for each. */
export type Priority = 'urgent' | 'high' | 'normal' | 'low';
export const PRIORITIES: readonly Priority[] = Object.freeze(['urgent', 'high', 'normal', 'low']);

/** The network edges a message can arrive on (src/listeners). */
export type ListenerName = 'mllp' | 'wctp' | 'sip' | 'smtp';
export const LISTENERS: readonly ListenerName[] = Object.freeze(['mllp', 'wctp', 'sip', 'smtp']);

/** Where a spec or rule was written, so a dry run or a timeline can point back at the YAML. */
export interface SourceLocation {
  file: string;
  line?: number;
  /** Dotted key, e.g. `rules.0.recipients.1`. */
  key: string;
}

/**
 * Who should be told, as an analyst wrote it. Resolved to people by the routing core:
 * - onCall: whoever holds the assignment now: the first in call order, everyone, or the n-th (1-based).
 * - careTeam: the message's patient's care-team member in that role (attending, consulting, primaryCare…).
 * - coverage: staff covering the patient's bed or unit in that role (nurse, tech, chargeNurse…);
 *   scope `bedOrUnit` means the bed's coverage when there is one, else the unit's.
 * - person, group: by directory id. pager: a pager number, straight to the paging gateway.
 */
export type RecipientSpec =
  | { kind: 'onCall'; assignment: string; order: 'first' | 'all' | number; at: SourceLocation }
  | { kind: 'careTeam'; role: string; at: SourceLocation }
  | { kind: 'coverage'; role: string; scope: 'bed' | 'unit' | 'bedOrUnit'; at: SourceLocation }
  | { kind: 'person'; id: string; at: SourceLocation }
  | { kind: 'group'; id: string; at: SourceLocation }
  | { kind: 'pager'; number: string; at: SourceLocation };

/** An escalation step may name people directly, or say "the recipients of the rule that raised it". */
export type EscalationTarget = RecipientSpec | { kind: 'ruleRecipients'; at: SourceLocation };

export interface EscalationStep {
  /** Minutes after the previous step (the first step: after the alert is raised) that this step runs. */
  delayMinutes: number;
  /** Minutes after the start of a round that this step runs: the sum of delays up to and including it. */
  atMinute: number;
  targets: readonly EscalationTarget[];
  /**
   * When the step finds nobody new: `next` runs the next step at once, `wait` holds this step's place so
   * the next one runs after its own delay, as if this one had paged someone.
   * @defaultValue 'next'
   */
  whenNobody?: 'next' | 'wait';
}

/**
 * Ordered steps run in rounds: round 1 runs every step, then `repeat` more rounds follow, then the
 * failsafe is notified. One acknowledgement stops it all; that bookkeeping is the routing core's.
 */
export interface EscalationPolicy {
  id: string;
  description?: string;
  steps: readonly EscalationStep[];
  /** How many more rounds after the first. */
  repeat: number;
  /** Minutes to wait after the last step of a round before the next round (or the failsafe). */
  waitAfterLastStepMinutes: number;
  /** Length of one round in minutes: the last step's atMinute plus waitAfterLastStepMinutes. */
  roundMinutes: number;
  /** Who is told when every round is exhausted: never silence. */
  failsafe: readonly RecipientSpec[];
  at: SourceLocation;
}

export interface BatchSettings {
  /** Collect matches for this many minutes, then send one digest. */
  minutes: number;
}

/** A rule as the analyst wrote it, checked. Conditions are compiled inside the RuleSet. */
export interface Rule {
  id: string;
  description?: string;
  /** A filter rule drops the message: no alert, wherever the rule stands. */
  filter: boolean;
  recipients: readonly RecipientSpec[];
  priority: Priority;
  escalationPolicyId?: string;
  dedupWindowMinutes?: number;
  batch?: BatchSettings;
  /** Stop evaluating later rules once this one matched. */
  stop: boolean;
  /** The match conditions in plain words (`type ORU`, `OBX-8.1 in HH, LL, AA`), for listings. */
  conditions: readonly string[];
  at: SourceLocation;
}

/** What a message needs to offer to be routed: an Hl7Message has all of it. */
export interface RoutableMessage {
  readonly header: {
    readonly messageType: string;
    readonly triggerEvent: string;
    readonly sendingApplication: string;
    readonly sendingFacility: string;
    readonly controlId: string;
  };
  get(path: string): string | undefined;
  getAll(path: string): string[];
  segments(name?: string): ReadonlyArray<{
    readonly name: string;
    readonly index: number;
    value(path: string): string | undefined;
    /** Field n's repetitions, split once (see protocols/hl7 Segment.repetitions). */
    repetitions(
      field: number,
    ): ReadonlyArray<{ value(component?: number, subcomponent?: number): string | undefined }>;
  }>;
}

export interface EvaluationInput {
  message: RoutableMessage;
  /** Which listener took the message: 'mllp', 'wctp', 'sip' or 'smtp'. */
  listener: string;
  /** When the message is routed (UTC epoch ms), for `during` windows; defaults to now. */
  at?: number;
}

/** One rule that matched a message, with everything the routing core needs to raise an alert. */
export interface RuleMatch {
  rule: Rule;
  /** True for a filter rule: drop the message, raise nothing. */
  filtered: boolean;
  recipients: readonly RecipientSpec[];
  priority: Priority;
  escalationPolicy?: EscalationPolicy;
  /**
   * The rendered dedup key, prefixed with the rule id (`critical-lab-result:MRN123-2823-3`) so that two
   * rules never merge each other's alerts. Undefined when the rule has none, or when a value it names
   * is missing from the message (an incomplete key could merge alerts about different patients).
   */
  dedupKey?: string;
  dedupWindowMinutes?: number;
  title: string;
  body: string;
  batchMinutes?: number;
  /** Digest grouping key (`rule-id` or `rule-id:rendered key`), present when batchMinutes is. */
  batchKey?: string;
  /** Which conditions held, in plain words, for the dry run's "why". May quote message values (PHI). */
  reasons: string[];
}

/** For the dry run: what every rule made of a message, matched or not. */
export interface RuleTrace {
  ruleId: string;
  at: SourceLocation;
  matched: boolean;
  /** Conditions that held, in order. */
  reasons: string[];
  /** The first condition that did not hold. */
  failedOn?: string;
  /** Set when the rule's `when` expression failed while running; the rule then does not match. */
  error?: string;
  /** True when an earlier match with `stop: true` (or a filter) ended evaluation before this rule. */
  skipped?: boolean;
}
