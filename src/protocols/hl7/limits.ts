/**
 * How much of one message the parser reads at most. A sender can put 20,000 repetitions in PID-3 or a
 * million segments in a frame; the raw bytes are stored whole either way, but reading stops at these
 * bounds so that the work per message stays bounded. Every cut is noted (see LimitCut) so that the
 * message can be marked and an analyst told what was not read.
 */

export interface Hl7Limits {
  /** Repetitions of one field read at most (PID-3, PV1-7, OBX-5). */
  maxRepetitions: number;
  /** Components of one repetition, and subcomponents of one component, read at most. */
  maxComponents: number;
  /** Segments of one message read at most. */
  maxSegments: number;
}

/**
 * Generous for real traffic (a PID-3 rarely holds ten identifiers, XCN has 23 components, a big ORU a
 * few thousand OBX), small enough that a hostile message costs milliseconds.
 */
export const DEFAULT_HL7_LIMITS: Readonly<Hl7Limits> = Object.freeze({
  maxRepetitions: 100,
  maxComponents: 100,
  maxSegments: 10_000,
});

/** One place where reading stopped at a limit. Names positions only: never a value (no PHI). */
export interface LimitCut {
  /** 'PID-3', 'PID[2]-3(1)', or 'message' for segments. */
  where: string;
  kind: 'repetitions' | 'components' | 'subcomponents' | 'segments';
  /** How many the message holds there. */
  found: number;
  /** How many were read. */
  read: number;
}

/** Cuts kept per message at most; beyond it only their number grows. */
const MAX_CUTS_KEPT = 20;

/** What reading one message ran into: shared by the message and its segments. */
export class LimitNotes {
  readonly cuts: LimitCut[] = [];
  /** Every cut, including those not kept. */
  count = 0;
  private readonly seen = new Set<string>();

  constructor(readonly limits: Readonly<Hl7Limits>) {}

  note(cut: LimitCut): void {
    const key = `${cut.where}:${cut.kind}`;
    if (this.seen.has(key)) return;
    this.count += 1;
    if (this.cuts.length < MAX_CUTS_KEPT) {
      this.seen.add(key);
      this.cuts.push(cut);
    }
  }

  /** One line for a status detail or a log: 'PID-3: 20000 repetitions, read 100; …'. */
  summary(): string {
    const parts = this.cuts.map((c) => `${c.where}: ${c.found} ${c.kind}, read ${c.read}`);
    if (this.count > this.cuts.length) parts.push(`and ${this.count - this.cuts.length} more`);
    return parts.join('; ');
  }
}

/**
 * Splits `text` on `separator` into at most `max` pieces, in one pass. `found` is how many pieces the
 * text holds (counted on when the limit cut the split, so that a cut can say how much it left).
 */
export function splitAtMost(
  text: string,
  separator: string,
  max: number,
): { pieces: string[]; found: number } {
  const pieces: string[] = [];
  let from = 0;
  while (pieces.length < max) {
    const at = text.indexOf(separator, from);
    if (at === -1) {
      pieces.push(text.slice(from));
      return { pieces, found: pieces.length };
    }
    pieces.push(text.slice(from, at));
    from = at + separator.length;
  }
  let found = pieces.length + 1;
  for (
    let at = text.indexOf(separator, from);
    at !== -1;
    at = text.indexOf(separator, at + separator.length)
  ) {
    found += 1;
  }
  return { pieces, found };
}
