/** One problem found in the configuration, located so that an analyst can go straight to it. */
export interface ConfigProblem {
  /** The YAML file (relative to the config folder), or `environment` for an override. */
  file: string;
  /** 1-based line in that file, when known. */
  line?: number;
  /** Dotted key, e.g. `listeners.mllp.port`. */
  key: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`configuration has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line ? `${p.file}:${p.line}` : p.file;
  return `  ${where}: ${p.key || '(top level)'}: ${p.message}`;
}
