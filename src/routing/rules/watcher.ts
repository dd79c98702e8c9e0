/**
 * Keeps the active RuleSet current with the rules folder: loads it at start (a bad folder stops the
 * start with every problem), then watches it and swaps in each good edit. A bad edit is refused as a
 * whole and the running rules stay; the problems go to `onRejected` so the analyst hears about them.
 *
 * The swap is one assignment: a message being evaluated keeps the set it started with, and the next
 * message gets the new one, so nothing is lost or evaluated half-and-half.
 *
 * Editors save in bursts (write temp, rename, chmod), hence the debounce; a reload that reads the same
 * bytes as the running set does nothing. fs.watch can miss events on some filesystems (network mounts,
 * some containers), so `pollIntervalMs` adds a periodic check, and `reload()` lets the API force one.
 */
import { type FSWatcher, watch } from 'node:fs';
import { ConfigError, type ConfigProblem } from '../../kit/config-errors.ts';
import { loadRules, type RulesLoadOptions, readRulesFolder } from './load.ts';
import type { RuleSet } from './rule-set.ts';

export interface RulesWatcherOptions extends RulesLoadOptions {
  /** Quiet time after the last change before re-reading. @defaultValue 200 */
  debounceMs?: number;
  /** Also re-check the folder this often (0: never). @defaultValue 0 */
  pollIntervalMs?: number;
  /** Watch the folder at all; off for a one-shot load plus manual reload(). @defaultValue true */
  watch?: boolean;
  /** A good edit is now active. */
  onReloaded?: (current: RuleSet, previous: RuleSet) => void;
  /** An edit was refused; the running rules stay. */
  onRejected?: (problems: ConfigProblem[]) => void;
}

export type ReloadResult =
  | { ok: true; changed: boolean; ruleSet: RuleSet }
  | { ok: false; problems: ConfigProblem[]; ruleSet: RuleSet };

export class RulesWatcher {
  private active: RuleSet;
  private watcher?: FSWatcher;
  private poller?: NodeJS.Timeout;
  private pending?: NodeJS.Timeout;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly options: RulesWatcherOptions,
    first: RuleSet,
  ) {
    this.active = first;
  }

  /** Loads `dir` (throws ConfigError with every problem) and starts watching it. */
  static start(dir: string, options: RulesWatcherOptions = {}): RulesWatcher {
    const { value, problems } = loadRules(dir, options);
    if (!value) throw new ConfigError(problems);
    const w = new RulesWatcher(dir, options, value);
    if (options.watch !== false) w.startWatching();
    return w;
  }

  /** The active rules. Take it once per message and evaluate against that. */
  current(): RuleSet {
    return this.active;
  }

  /** Re-reads the folder now and swaps in the result if it is good and different. */
  reload(): ReloadResult {
    const source = readRulesFolder(this.dir);
    if (source.problems.length === 0 && source.version === this.active.version) {
      return { ok: true, changed: false, ruleSet: this.active };
    }
    const { value, problems } = loadRules(source, this.options);
    if (!value) {
      this.options.onRejected?.(problems);
      return { ok: false, problems, ruleSet: this.active };
    }
    const previous = this.active;
    this.active = value;
    this.options.onReloaded?.(value, previous);
    return { ok: true, changed: true, ruleSet: value };
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.poller);
    clearTimeout(this.pending);
  }

  private startWatching(): void {
    this.watcher = watch(this.dir, { persistent: false }, () => this.schedule());
    this.watcher.on('error', (e) => {
      this.options.onRejected?.([
        { file: this.dir, key: '', message: `cannot watch the folder: ${e.message}` },
      ]);
    });
    const every = this.options.pollIntervalMs ?? 0;
    if (every > 0) {
      this.poller = setInterval(() => this.schedule(), every);
      this.poller.unref();
    }
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      if (!this.closed) this.reload();
    }, this.options.debounceMs ?? 200);
    this.pending.unref();
  }
}
