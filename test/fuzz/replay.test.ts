/**
 * Replays every input a fuzzing run (npm run fuzz) kept in test/fixtures/fuzz/<parser>/: each made a parser
 * throw what it does not promise, break a promise, or take over 100 ms, and must now be answered in the
 * parser's own terms. A few hundred generated inputs per parser keep the fuzz targets themselves working.
 */
import { describe, expect, it } from 'vitest';
import { keptFailures } from '../../bench/fuzz/failures.ts';
import { TARGETS } from '../../bench/fuzz/targets/index.ts';
import { seededRandom } from '../support/seeded-random.ts';

describe.each(TARGETS.map((target) => [target.name, target] as const))('fuzz target %s', (_name, target) => {
  const kept = keptFailures(target.name);

  it.runIf(kept.length > 0).each(kept.map((k) => [k.name, k.input] as const))(
    'kept input %s is answered',
    async (_file, input) => {
      expect(['accepted', 'refused']).toContain(await target.check(input));
    },
  );

  it('answers 300 generated and mutated inputs', async () => {
    const next = seededRandom(13);
    for (let i = 0; i < 300; i++) {
      const input = target.input(i, next);
      expect(['accepted', 'refused'], `input ${i}: ${JSON.stringify(input.toString('latin1'))}`).toContain(
        await target.check(input),
      );
    }
  });
});
