/**
 * What bench/run.ts expects of a benchmark file `bench/<name>.ts`: three named exports. Importing the file
 * must have no side effects (run.ts imports every benchmark to list them).
 */
export interface BenchmarkModule {
  /** One line: what the benchmark measures and against which baseline. */
  about: string;
  /** The options it takes, one per line, for `npm run bench -- <name> --help`. */
  usage: string;
  /** Runs with the arguments after the name; prints its figures; asserts nothing. */
  run(argv: string[]): Promise<void>;
}
