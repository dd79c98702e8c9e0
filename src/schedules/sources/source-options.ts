/**
 * Reads a source kind's `options:` mapping and reports every bad key at once (through the engine's
 * `report`, which locates it in sources.yaml), so an analyst fixes a source in one pass. Each reader
 * returns the fallback when the key is absent and undefined-or-fallback when it is wrong; `failed` tells
 * the kind to return undefined.
 */
import { isValidZone } from '../../kit/zone-clock.ts';

export type ReportOption = (key: string, message: string) => void;

export class SourceOptions {
  failed = false;

  constructor(
    private readonly options: Readonly<Record<string, unknown>>,
    private readonly reportTo: ReportOption,
    known: readonly string[],
    private readonly prefix = '',
  ) {
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) this.report(key, `is not a known option (known: ${known.join(', ')})`);
    }
  }

  report(key: string, message: string): void {
    this.failed = true;
    this.reportTo(this.prefix + key, message);
  }

  has(key: string): boolean {
    const v = this.options[key];
    return v !== undefined && v !== null;
  }

  /** A non-empty text; numbers refused, since YAML drops an id's leading zeros. */
  text(key: string, required: true): string | undefined;
  text(key: string, required: false, fallback: string): string;
  text(key: string, required: false): string | undefined;
  text(key: string, required: boolean, fallback?: string): string | undefined {
    const v = this.options[key];
    if (v === undefined || v === null) {
      if (required) this.report(key, 'is required');
      return fallback;
    }
    if (typeof v === 'number') {
      this.report(key, `must be text: put it in quotes ('${v}') so YAML keeps every digit`);
      return fallback;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      this.report(key, 'must be a non-empty text');
      return fallback;
    }
    return v.trim();
  }

  /** A credential: required, and never echoed in a message. */
  secret(key: string, env: string): string | undefined {
    const v = this.options[key];
    if (v === undefined || v === null || v === '') {
      this.report(key, `is required: write \${${env}} and set ${env} in the environment`);
      return undefined;
    }
    if (typeof v !== 'string') {
      this.report(key, `must be text: write \${${env}} and set ${env} in the environment`);
      return undefined;
    }
    return v;
  }

  /** An http(s) URL. */
  url(key: string, fallback: string): URL {
    const text = this.text(key, false, fallback);
    try {
      const url = new URL(text);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url;
      this.report(key, `must be an http or https URL, not ${url.protocol}`);
    } catch {
      this.report(key, `is not a URL: ${text}`);
    }
    return new URL(fallback);
  }

  whole(key: string, min: number, max: number, fallback: number): number {
    const v = this.options[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.report(key, `must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return v;
  }

  flag(key: string, fallback: boolean): boolean {
    const v = this.options[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') {
      this.report(key, 'must be true or false');
      return fallback;
    }
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback: T): T {
    const v = this.options[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.report(key, `must be one of: ${values.join(', ')}`);
      return fallback;
    }
    return v as T;
  }

  /** An IANA time zone name, when given. */
  zone(key: string): string | undefined {
    const zone = this.text(key, false);
    if (zone !== undefined && !isValidZone(zone)) {
      this.report(key, `is not an IANA time zone (e.g. America/Chicago): ${zone}`);
      return undefined;
    }
    return zone;
  }

  /** A nested mapping, read with its own known keys; its problems are reported as `key.inner`. */
  nested(key: string, known: readonly string[]): SourceOptions | undefined {
    const v = this.options[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.report(key, 'must be a mapping of keys');
      return undefined;
    }
    const inner = new SourceOptions(
      v as Record<string, unknown>,
      (k, message) => this.report(k, message),
      known,
      `${key}.`,
    );
    return inner;
  }
}
