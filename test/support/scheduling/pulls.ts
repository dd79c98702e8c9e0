/** Small helpers for the scheduling source clients' tests. */
import { expect } from 'vitest';
import { type PullRequest, SourceError } from '../../../src/schedules/sources/source.ts';

/** A pull request for [from, to), never aborted. */
export function pullWindow(from: string, to: string): PullRequest {
  return { from: new Date(from), to: new Date(to), signal: new AbortController().signal };
}

/** The SourceError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function sourceFailure(p: Promise<unknown>): Promise<SourceError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}
