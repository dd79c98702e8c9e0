/**
 * Rule files saved from the analyst console, kept in the store so that every instance of a cluster puts
 * the same text in its own rules folder (routing/rules/shared-edits.ts), and so that who changed which
 * rule file when is on record. Each save is one entry: the file's name, the version of the text it
 * replaced (`baseVersion`, '' for a new file), the new text, who saved it and when. Entries are numbered
 * in the order they were saved (`revision`, increasing across the cluster).
 */
export interface RuleEdit {
  revision: number;
  /** The file's name in the rules folder, e.g. `lab.yaml`. */
  name: string;
  /** The version (workbench textVersion) of the text this save replaced; '' when the file was new. */
  baseVersion: string;
  text: string;
  savedBy: string;
  savedAt: Date;
}

export interface RuleEditStore {
  /** Records a save, durably; resolves with its revision. */
  record(edit: Omit<RuleEdit, 'revision'>): Promise<number>;
  /** The saves after `revision`, oldest first, at most `limit`. */
  since(revision: number, limit?: number): Promise<RuleEdit[]>;
}
