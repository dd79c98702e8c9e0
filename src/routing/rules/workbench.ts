/**
 * The rules folder as the analyst console edits it: the files as text, a draft (some files edited) checked
 * by the same loader that guards a reload, and a save that writes the analyst's text exactly as typed
 * (comments, ordering and blank lines kept: the files stay the ones the hospital keeps in git) once the
 * whole folder with it passes, then reloads the running rules.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ConfigProblem } from '../../kit/config-errors.ts';
import { YamlFile } from '../../kit/yaml-files.ts';
import { loadRules, type RulesLoadOptions } from './load.ts';
import type { RuleSet } from './rule-set.ts';
import type { ReloadResult } from './watcher.ts';

export interface RuleFileText {
  /** The file's name in the rules folder, e.g. `lab.yaml`. */
  name: string;
  text: string;
}

export interface DraftCheck {
  ok: boolean;
  problems: ConfigProblem[];
  /** The draft's rules, when they load: for a dry run or a replay, never put in force. */
  ruleSet?: RuleSet;
}

export type SaveOutcome =
  | { saved: true; reload: { ok: boolean; changed?: boolean; version: string; problems: ConfigProblem[] } }
  | { saved: false; reason: 'refused'; problems: ConfigProblem[] }
  | { saved: false; reason: 'changed'; version: string };

/** A plain file name in the folder: no path, no hidden file, YAML. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$/;

export const isRuleFileName = (name: string): boolean => FILE_NAME.test(name);

/** A short fingerprint of one file's text, so a save can tell the file changed on the disk meanwhile. */
export const textVersion = (text: string): string =>
  createHash('sha256').update(text).digest('hex').slice(0, 16);

export class RuleWorkbench {
  constructor(
    private readonly dir: string,
    private readonly options: RulesLoadOptions,
    /** Reloads the running rules from the folder (the RulesWatcher's reload). */
    private readonly reload: () => ReloadResult,
  ) {}

  /** Every rule file, in name order (the loader's order), with its text and version. */
  files(): Array<RuleFileText & { version: string }> {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter(isRuleFileName)
      .sort()
      .map((name) => {
        const text = readFileSync(join(this.dir, name), 'utf8');
        return { name, text, version: textVersion(text) };
      });
  }

  /** The folder with the edited files in place of theirs (a new name adds a file), loaded as a reload would. */
  check(edits: readonly RuleFileText[]): DraftCheck {
    const bad = edits.filter((e) => !isRuleFileName(e.name));
    if (bad.length)
      return {
        ok: false,
        problems: bad.map((e) => ({
          file: e.name,
          key: '',
          message: 'a rule file is a plain name in the rules folder ending .yaml or .yml',
        })),
      };
    const texts = new Map(this.files().map((f) => [f.name, f.text]));
    for (const e of edits) texts.set(e.name, e.text);
    const label = basename(this.dir);
    const files = [...texts.keys()]
      .sort()
      .map((name) => new YamlFile(`${label}/${name}`, texts.get(name) ?? ''));
    const { value, problems } = loadRules(files, this.options);
    return { ok: value !== undefined, problems, ruleSet: value };
  }

  /**
   * Writes one file's text as given, if the folder with it loads and the file is still the one the analyst
   * started from (`baseVersion`, when given), then reloads. `share` runs once the checks pass and before
   * the file is written, with the version of the text being replaced ('' for a new file): it records the
   * save for the other instances, and when it fails nothing is written.
   */
  async save(
    edit: RuleFileText,
    baseVersion?: string,
    share?: (replacing: string) => Promise<void>,
  ): Promise<SaveOutcome> {
    const checked = this.check([edit]);
    if (!checked.ok) return { saved: false, reason: 'refused', problems: checked.problems };
    const now = this.versionOf(edit.name);
    if (baseVersion !== undefined && now !== baseVersion)
      return { saved: false, reason: 'changed', version: now };
    await share?.(now);
    const r = this.put(edit);
    return {
      saved: true,
      reload: r.ok
        ? { ok: true, changed: r.changed, version: r.ruleSet.version, problems: [] }
        : { ok: false, version: r.ruleSet.version, problems: r.problems },
    };
  }

  /** The version of one file as it is in the folder now; '' when there is no such file. */
  versionOf(name: string): string {
    const path = join(this.dir, name);
    return existsSync(path) ? textVersion(readFileSync(path, 'utf8')) : '';
  }

  /**
   * Writes one file's text and reloads, without checks (the caller checked). The write goes to a temporary
   * file renamed over the old one, so the watcher never reads half a file.
   */
  put(edit: RuleFileText): ReloadResult {
    const temporary = join(this.dir, `.${edit.name}.${process.pid}.saving`);
    writeFileSync(temporary, edit.text);
    renameSync(temporary, join(this.dir, edit.name));
    return this.reload();
  }
}
