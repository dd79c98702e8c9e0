/**
 * Rule files saved in the analyst console reach every instance of a cluster. A save is recorded in the
 * store before the saving instance writes its file (api/rule-workbench.ts); every instance reads the
 * saves it has not seen yet, puts each file's newest text in its own rules folder and reloads, so all
 * of them route with the same rules a few seconds after the save, and an instance that was down or is
 * new catches up at its start.
 *
 * A file is only ever moved along its own history of saves: it is written when the instance's copy is
 * one of the texts that history went through (the text a save replaced, or one it wrote). A copy that is
 * none of them was changed outside the console (by hand, or a deployment from the hospital's git); it is
 * left as it is and the log says so, naming the save it differs from, rather than overwriting someone's
 * work. A text whose folder does not load on this instance (its other files differ) is not written either.
 */
import type { Logger } from 'pino';
import type { RuleEdit, RuleEditStore } from '../../store/rule-edit-port.ts';
import type { ReloadResult } from './watcher.ts';
import type { DraftCheck } from './workbench.ts';
import { type RuleFileText, textVersion } from './workbench.ts';

/** What following the saves needs of the rules folder (RuleWorkbench has it). */
export interface RulesFolder {
  check(edits: readonly RuleFileText[]): DraftCheck;
  /** The version of a file as it is now ('' when there is none). */
  versionOf(name: string): string;
  /** Writes a file's text without checks (the caller checked) and reloads. */
  put(edit: RuleFileText): ReloadResult;
}

/** Why a file was left as it is, once per file and save. */
type Left = 'changed outside the console' | 'does not load here';

export class SharedRuleEdits {
  /** The last revision read. */
  private seen = 0;
  /** Per file: every version its history of saves went through, and its newest save. */
  private readonly files = new Map<string, { versions: Set<string>; newest: RuleEdit }>();
  /** File and revision already reported as left as it is, so the log says it once. */
  private readonly reported = new Set<string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly edits: Pick<RuleEditStore, 'since'>,
    private readonly folder: RulesFolder,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
  ) {}

  /**
   * Reads the saves not seen yet and brings this instance's files to their newest texts. Resolves with
   * the files written (none when every copy is current).
   */
  async catchUp(): Promise<string[]> {
    for (;;) {
      const page = await this.edits.since(this.seen);
      for (const edit of page) this.learn(edit);
      if (page.length === 0) break;
      this.seen = page[page.length - 1].revision;
    }
    const written: string[] = [];
    for (const [name, { versions, newest }] of this.files) {
      const here = this.folder.versionOf(name);
      const wanted = textVersion(newest.text);
      if (here === wanted) continue;
      if (!versions.has(here)) {
        this.leave(newest, 'changed outside the console');
        continue;
      }
      const checked = this.folder.check([{ name, text: newest.text }]);
      if (!checked.ok) {
        this.leave(newest, 'does not load here', checked.problems);
        continue;
      }
      const reload = this.folder.put({ name, text: newest.text });
      written.push(name);
      this.log.info(
        { file: name, revision: newest.revision, savedBy: newest.savedBy, reloaded: reload.ok },
        'rule file saved in the console on another instance written here',
      );
    }
    return written;
  }

  /** Catches up now, then every `everyMs`; a failed read is logged and tried again at the next. */
  start(everyMs: number): Promise<void> {
    const turn = () => {
      this.running = this.catchUp().then(
        () => {},
        (err: Error) => this.log.error({ err }, 'could not read the rule saves of the other instances'),
      );
      return this.running;
    };
    this.timer = setInterval(() => {
      if (!this.running) void turn().finally(() => (this.running = undefined));
    }, everyMs);
    this.timer.unref();
    return turn().finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private learn(edit: RuleEdit): void {
    const file = this.files.get(edit.name) ?? { versions: new Set<string>(), newest: edit };
    file.versions.add(edit.baseVersion);
    file.versions.add(textVersion(edit.text));
    file.newest = edit;
    this.files.set(edit.name, file);
  }

  private leave(newest: RuleEdit, why: Left, problems?: unknown): void {
    const key = `${newest.name}@${newest.revision}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.log.warn(
      { file: newest.name, revision: newest.revision, savedBy: newest.savedBy, problems },
      `rule file saved in the console on another instance not written here: this copy ${why}`,
    );
  }
}
