/**
 * What a fuzzing run needs from one parser: a way to make the i-th input from a seeded generator, and a
 * check that runs the parser on it. The check returns how the parser answered ('accepted' or 'refused' with
 * its own error type) and throws anything else: an unexpected exception type, or a broken promise such as
 * "an ACK we built does not parse back" (FuzzContractError).
 */
export type FuzzOutcome = 'accepted' | 'refused';

export interface FuzzTarget {
  /** Folder name under test/fixtures/fuzz/ and the name `npm run fuzz -- <parser>` takes. */
  readonly name: string;
  /** The i-th input; `next` is the run's seeded generator, so a run repeats from its seed. */
  input(i: number, next: () => number): Buffer;
  check(input: Buffer): FuzzOutcome | Promise<FuzzOutcome>;
}

/** A parser answered without an exception but broke one of its promises. */
export class FuzzContractError extends Error {
  override readonly name = 'FuzzContractError';
}

export function promise(condition: boolean, what: string): asserts condition {
  if (!condition) throw new FuzzContractError(what);
}
