/**
 * The demographic import: a scheduling system's (or HR's) export of people's contact points, dropped as
 * CSV in a folder here or on an SFTP server, applied to the directory overlay (store/directory-port.ts).
 * Each row names a person by one crosswalk id (uniqueId, custom1–custom4); the row's contact points
 * replace those this import gave that person before, and are kept with where they came from
 * (`import:<id>`) and when. A row that names nobody, or two people, or a person another row also names,
 * is reported and left out, never applied to a guess. A person the file does not mention keeps what
 * earlier files gave them; an empty cell removes this import's contact point of that kind.
 *
 * The file is moved to `processed/` once every row is written; a file that does not read (cut off,
 * missing a column) changes nothing and is moved to `rejected/` with the reason beside it. Each person is
 * written in one store transaction; after a crash mid-file the file is still waiting and is read again,
 * which writes the same values (rows already written are seen unchanged and skipped).
 */
import type { FindPeople } from '../schedules/mapping.ts';
import { asideName } from '../schedules/sources/drop-folder.ts';
import {
  type DropLocation,
  oldestSettledFile,
  openDropFolder,
  rejectFile,
} from '../schedules/sources/drop-location.ts';
import type { DirectoryOverlayStore, OverlayContactRecord } from '../store/directory-port.ts';
import { type ContactColumn, type RowProblem, readDemographicCsv } from './demographic-csv.ts';
import type { ContactPoint } from './types.ts';

export type DemographicKey = 'uniqueId' | 'custom1' | 'custom2' | 'custom3' | 'custom4';

export const demographicKeys: readonly DemographicKey[] = [
  'uniqueId',
  'custom1',
  'custom2',
  'custom3',
  'custom4',
];

export interface DemographicImportSettings extends DropLocation {
  /** Our name for this import; its values are kept under the source `import:<id>`. */
  id: string;
  /** How often the folder is looked at. @defaultValue 15 */
  everyMinutes: number;
  /** The column holding the key, and which crosswalk id it is. */
  key: { column: string; match: DemographicKey };
  contacts: readonly ContactColumn[];
}

export interface ImportedRowReport extends RowProblem {
  reason: 'nobody' | 'two-people' | 'repeated' | 'invalid';
  personIds: string[];
}

export interface DemographicImportOutcome {
  /** The file read, or null when none was waiting. */
  file: string | null;
  status: 'applied' | 'rejected' | 'nothing';
  /** People whose contact points changed. */
  updated: string[];
  unchanged: number;
  /** Rows left out, each with why. */
  reported: ImportedRowReport[];
  /** For a rejected file: why. */
  problems: string[];
}

export interface DemographicImportDeps {
  overlay: DirectoryOverlayStore;
  findPeople: FindPeople;
  configDir: string;
  now: () => Date;
}

export class DemographicImport {
  constructor(
    private readonly settings: DemographicImportSettings,
    private readonly deps: DemographicImportDeps,
  ) {}

  get source(): string {
    return `import:${this.settings.id}`;
  }

  /** Reads and applies the oldest settled file, if one is waiting. */
  async runOnce(): Promise<DemographicImportOutcome> {
    const folder = openDropFolder(this.settings, this.deps.configDir);
    const outcome: DemographicImportOutcome = {
      file: null,
      status: 'nothing',
      updated: [],
      unchanged: 0,
      reported: [],
      problems: [],
    };
    try {
      const file = await oldestSettledFile(folder, this.settings, this.deps.now().getTime());
      if (!file) return outcome;
      outcome.file = file.name;
      const read = readDemographicCsv((await folder.read(file.name)).toString('utf8'), {
        keyColumn: this.settings.key.column,
        contacts: this.settings.contacts,
      });
      const at = this.deps.now();
      if (!read.ok) {
        await rejectFile(folder, file.name, at, read.problems);
        return { ...outcome, status: 'rejected', problems: read.problems };
      }
      outcome.reported.push(
        ...read.invalid.map((p) => ({ ...p, reason: 'invalid' as const, personIds: [] })),
      );
      const byPerson = new Map<string, { line: number; key: string; contacts: ContactPoint[] }[]>();
      for (const row of read.rows) {
        const ids = [...new Set(this.deps.findPeople(this.settings.key.match, row.key))];
        if (ids.length !== 1) {
          const reason = ids.length === 0 ? 'nobody' : 'two-people';
          const message =
            ids.length === 0
              ? `${this.settings.key.match} ${row.key} names nobody in the directory`
              : `${this.settings.key.match} ${row.key} names ${ids.length} people`;
          outcome.reported.push({ line: row.line, key: row.key, reason, personIds: ids, message });
          continue;
        }
        byPerson.set(ids[0], [...(byPerson.get(ids[0]) ?? []), row]);
      }
      for (const [personId, rows] of byPerson) {
        if (rows.length > 1) {
          for (const row of rows) {
            const others = rows.filter((r) => r !== row).map((r) => r.line);
            outcome.reported.push({
              line: row.line,
              key: row.key,
              reason: 'repeated',
              personIds: [personId],
              message: `${personId} is also on line ${others.join(', ')}; neither row applied`,
            });
          }
          continue;
        }
        const wanted = rows[0].contacts;
        const had = (await this.deps.overlay.contacts(personId)).filter(
          (c) => c.origin.source === this.source,
        );
        if (sameContacts(had, wanted)) {
          outcome.unchanged++;
          continue;
        }
        await this.deps.overlay.replaceContacts(personId, wanted, { source: this.source, at });
        outcome.updated.push(personId);
      }
      outcome.reported.sort((a, b) => a.line - b.line);
      // A new version dropped under the same name while this one was applied is left for the next turn.
      const still = (await folder.list()).find((f) => f.name === file.name);
      if (still && still.size === file.size && still.modifiedMs === file.modifiedMs) {
        await folder.moveAside(file.name, 'processed', asideName(file.name, at));
      }
      return { ...outcome, status: 'applied' };
    } finally {
      await folder.close();
    }
  }
}

function sameContacts(had: readonly OverlayContactRecord[], wanted: readonly ContactPoint[]): boolean {
  const key = (c: { kind: string; address: string; label?: string; carrier?: string }) =>
    `${c.kind}\u0000${c.address}\u0000${c.label ?? ''}\u0000${c.carrier ?? ''}`;
  const a = had.map(key).sort();
  const b = wanted.map(key).sort();
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
