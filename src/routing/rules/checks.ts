/**
 * Small composable checks over the plain values a YAML file parses to. Each check reports a located
 * problem and returns undefined instead of throwing, so one pass over a file reports every bad key at
 * once (the GoAlert `validate.Many` habit).
 */
import type { ConfigProblem } from '../../kit/config-errors.ts';
import type { YamlFile } from '../../kit/yaml-files.ts';
import type { SourceLocation } from './types.ts';

export type KeyPath = ReadonlyArray<string | number>;

const UNIT_MINUTES = { s: 1 / 60, m: 1, h: 60 };

/** Collects the problems found in one YAML file; paths are the key paths inside it. */
export class FileChecker {
  constructor(
    readonly file: YamlFile,
    readonly problems: ConfigProblem[],
  ) {}

  at(path: KeyPath): SourceLocation {
    return { file: this.file.name, line: this.file.lineOf([...path]), key: path.join('.') };
  }

  report(path: KeyPath, message: string): undefined {
    this.problems.push({ ...this.at(path), message });
    return undefined;
  }

  /** A mapping; every key outside `known` is reported (a typo must not silently do nothing). */
  mapping(value: unknown, path: KeyPath, known: readonly string[]): Record<string, unknown> | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return this.report(path, 'must be a mapping of keys');
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!known.includes(key)) {
        this.report([...path, key], `is not a known key here (known: ${known.join(', ')})`);
      }
    }
    return record;
  }

  list(value: unknown, path: KeyPath): unknown[] | undefined {
    if (!Array.isArray(value)) return this.report(path, 'must be a list');
    return value;
  }

  /**
   * A non-empty string. Numbers are refused on purpose: YAML reads `007` as the number 7, and a pager
   * number or an HL7 code that lost its leading zeros would route to the wrong place.
   */
  text(value: unknown, path: KeyPath): string | undefined {
    if (typeof value === 'number') {
      return this.report(path, `write it in quotes ('${value}') so YAML keeps it as text`);
    }
    if (typeof value !== 'string' || value.trim() === '') return this.report(path, 'must be non-empty text');
    return value;
  }

  /** One string or a non-empty list of strings. */
  textOrList(value: unknown, path: KeyPath): string[] | undefined {
    if (!Array.isArray(value)) {
      const one = this.text(value, path);
      return one === undefined ? undefined : [one];
    }
    if (value.length === 0) return this.report(path, 'must name at least one value');
    const all = value.map((v, i) => this.text(v, [...path, i]));
    return all.every((v) => v !== undefined) ? (all as string[]) : undefined;
  }

  bool(value: unknown, path: KeyPath): boolean | undefined {
    if (typeof value !== 'boolean') return this.report(path, 'must be true or false');
    return value;
  }

  /** A number of minutes within [min, max]; fractions are allowed (tests use half a minute). */
  minutes(value: unknown, path: KeyPath, min: number, max: number): number | undefined {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      return this.report(path, `must be a number of minutes from ${min} to ${max}`);
    }
    return value;
  }

  /**
   * A length of time written with its unit, `20s`, `2m` or `1h`, returned in minutes (seconds are exact to the
   * millisecond once multiplied back). A bare number is refused: `delay: 20` could mean either unit.
   */
  duration(value: unknown, path: KeyPath, minMinutes: number, maxMinutes: number): number | undefined {
    const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)\s*$/.exec(value) : null;
    const minutes = match
      ? Number(match[1]) * UNIT_MINUTES[match[2] as keyof typeof UNIT_MINUTES]
      : undefined;
    if (minutes === undefined || minutes < minMinutes || minutes > maxMinutes) {
      return this.report(
        path,
        `must be a time with its unit, such as 20s, 2m or 1h, from ${minMinutes} to ${maxMinutes} minutes`,
      );
    }
    return minutes;
  }

  integer(value: unknown, path: KeyPath, min: number, max: number): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.report(path, `must be a whole number from ${min} to ${max}`);
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, path: KeyPath, allowed: readonly T[]): T | undefined {
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      return this.report(path, `must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  /** Ids (rule, policy, assignment, group, person) are written the same way everywhere. */
  id(value: unknown, path: KeyPath): string | undefined {
    const text = this.text(value, path);
    if (text === undefined) return undefined;
    if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(text)) {
      return this.report(path, 'must be an id: letters, digits, and . _ : - (no spaces)');
    }
    return text;
  }
}
