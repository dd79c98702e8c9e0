// Located checks for a config section (file, line, key for every problem), shared by the loaders of the
// directory, schedules and coverage: like yaml-files.ts and errors.ts, part of the config vocabulary that
// the domain loaders use.
import type { ConfigProblem } from './config-errors.ts';
import type { YamlFile } from './yaml-files.ts';

export type KeyPath = Array<string | number>;

/**
 * Collects every problem in one section of a YAML file, each pointed at its line, so the analyst sees all
 * of them at once (in the spirit of GoAlert's validate.Many) instead of fixing one per reload.
 */
export class SectionChecks {
  readonly problems: ConfigProblem[] = [];

  constructor(readonly file: YamlFile) {}

  report(path: KeyPath, message: string): void {
    this.problems.push({ file: this.file.name, line: this.file.lineOf(path), key: path.join('.'), message });
  }

  /** A mapping, or undefined (reported) when the value is something else. */
  mapping(value: unknown, path: KeyPath, allowed: readonly string[]): Record<string, unknown> | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.report(path, 'must be a mapping of keys');
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.report([...path, key], `is not a known key (known: ${allowed.join(', ')})`);
      }
    }
    return value as Record<string, unknown>;
  }

  /** A list, or [] when absent; reported when present but not a list. */
  list(value: unknown, path: KeyPath): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.report(path, 'must be a list');
      return [];
    }
    return value;
  }

  /** A non-empty string. Numbers are refused: YAML reads 007 as 7, and an id must keep its digits. */
  text(value: unknown, path: KeyPath, required: boolean): string | undefined {
    if (value === undefined || value === null) {
      if (required) this.report(path, 'is required');
      return undefined;
    }
    if (typeof value === 'number') {
      this.report(path, `must be text: put it in quotes ('${value}') so YAML keeps every digit`);
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.report(path, 'must be a non-empty text');
      return undefined;
    }
    return value.trim();
  }

  flag(value: unknown, path: KeyPath, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') {
      this.report(path, 'must be true or false');
      return fallback;
    }
    return value;
  }

  /** A whole number within [min, max]; `fallback` when absent or wrong (wrong is reported). */
  whole(value: unknown, path: KeyPath, min: number, max: number, fallback: number): number {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.report(path, `must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }
}
