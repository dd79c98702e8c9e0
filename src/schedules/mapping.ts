import type { Shift } from '../store/schedule-port.ts';
import type { UnmappedReason } from '../store/schedule-source-port.ts';
import type { AssignmentMatch, PeopleMatch } from './source-config.ts';
import type { SourceShift } from './sources/source.ts';

/** The people a crosswalk id names (none, one, or, wrongly, several). Wiring passes the directory's. */
export type FindPeople = (kind: string, value: string) => readonly string[];

/** A row the sync leaves out, and why. Never applied to a guess. */
export interface UnmappedSourceRow {
  rowNo: number;
  reason: UnmappedReason;
  rowRef: string | null;
  staff: Readonly<Record<string, string>>;
  task: Readonly<Record<string, string>>;
  start: Date;
  end: Date;
  /** The slots this row would have filled: coverage gaps while it stays unmapped. */
  assignmentIds: string[];
  personIds: string[];
}

export interface MappedPull {
  shifts: Shift[];
  unmapped: UnmappedSourceRow[];
  /** Rows that repeat a slot already mapped (same assignment, call order, start and person): kept once. */
  repeated: number;
}

export interface MappingRules {
  sourceId: string;
  people: readonly PeopleMatch[];
  assignments: readonly AssignmentMatch[];
}

/**
 * Turns a pull's rows into our shifts: the row's task picks its assignments (one row may be several
 * assignments, each with its call order) and its staff fields find exactly one person through the
 * crosswalk. A row whose task maps to nothing, or whose staff match nobody or two people, is reported,
 * never guessed.
 *
 * Shift ids: `<source>:<source id>@<assignment>` when the source has ids of its own (a delta deletes by
 * them), else the slot `<source>:<assignment>:<call order>:<start ms>:<person>`, which the store's diff
 * pairs with the slot it replaces, so a swap of doctors reads "person changed".
 */
export function mapRows(
  rules: MappingRules,
  rows: readonly SourceShift[],
  findPeople: FindPeople,
): MappedPull {
  const mapper = new RowMapper(rules, findPeople);
  for (let i = 0; i < rows.length; i++) mapper.add(rows[i], i);
  return mapper.result;
}

/** mapRows a page of rows per turn of the event loop, so a large pull leaves room for on-call lookups. */
export async function mapRowsInTurns(
  rules: MappingRules,
  rows: readonly SourceShift[],
  findPeople: FindPeople,
  page = 500,
): Promise<MappedPull> {
  const mapper = new RowMapper(rules, findPeople);
  for (let i = 0; i < rows.length; i++) {
    mapper.add(rows[i], i);
    if (i % page === page - 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return mapper.result;
}

class RowMapper {
  readonly result: MappedPull = { shifts: [], unmapped: [], repeated: 0 };
  private readonly ids = new Set<string>();
  private readonly people = new Map<string, readonly string[]>();
  private readonly tasks = new Map<string, AssignmentMatch[]>();
  /**
   * The same answers by record: a client that gives rows naming one person or task one shared record
   * (QGenda's) is mapped without building a key for every row.
   */
  private readonly tasksByRecord = new Map<object, AssignmentMatch[]>();
  private readonly peopleByRecord = new Map<object, { ids: readonly string[] }>();
  /** The task fields any mapping looks at: a row's task is known by these alone. */
  private readonly taskFields: string[];

  constructor(
    private readonly rules: MappingRules,
    private readonly findPeople: FindPeople,
  ) {
    this.taskFields = [...new Set(rules.assignments.flatMap((a) => Object.keys(a.task)))];
  }

  private lookup = (kind: string, value: string): readonly string[] => {
    const key = `${kind}\u0000${value}`;
    let hit = this.people.get(key);
    if (hit === undefined) {
      hit = this.findPeople(kind, value);
      this.people.set(key, hit);
    }
    return hit;
  };

  add(row: SourceShift, i: number): void {
    const { rules, result: out } = this;
    let matches = this.tasksByRecord.get(row.task);
    if (matches === undefined) {
      let taskKey = '';
      for (const f of this.taskFields) taskKey += `${row.task[f]?.trim().toLowerCase() ?? ''}\u0000`;
      matches = this.tasks.get(taskKey);
      if (matches === undefined) {
        matches = rules.assignments.filter((a) => taskMatches(a.task, row.task));
        this.tasks.set(taskKey, matches);
      }
      this.tasksByRecord.set(row.task, matches);
    }
    let person = this.peopleByRecord.get(row.staff);
    if (person === undefined) {
      person = findPerson(rules.people, row.staff, this.lookup);
      this.peopleByRecord.set(row.staff, person);
    }
    const reason: UnmappedReason | undefined =
      matches.length === 0
        ? 'unknown-task'
        : person.ids.length === 0
          ? 'nobody'
          : person.ids.length > 1
            ? 'two-people'
            : undefined;
    if (reason) {
      out.unmapped.push({
        rowNo: i + 1,
        reason,
        rowRef: row.at ?? null,
        staff: row.staff,
        task: row.task,
        start: row.start,
        end: row.end,
        assignmentIds: [...new Set(matches.map((m) => m.assignment))],
        personIds: reason === 'two-people' ? [...person.ids] : [],
      });
      return;
    }
    const personId = person.ids[0];
    for (const m of matches) {
      const id =
        row.sourceId !== undefined
          ? `${rules.sourceId}:${row.sourceId}@${m.assignment}`
          : `${rules.sourceId}:${m.assignment}:${m.callOrder}:${row.start.getTime()}:${personId}`;
      if (this.ids.has(id)) {
        out.repeated += 1;
        continue;
      }
      this.ids.add(id);
      const shift: Shift = {
        id,
        assignmentId: m.assignment,
        personId,
        start: row.start,
        end: row.end,
        callOrder: m.callOrder,
        notes: row.notes ?? '',
        published: row.published ?? true,
        source: rules.sourceId,
      };
      if (row.sourceId !== undefined) shift.sourceKey = row.sourceId;
      out.shifts.push(shift);
    }
  }
}

/** Task values compare trimmed and case-insensitively: exports differ in case from one release to another. */
function taskMatches(
  want: Readonly<Record<string, string>>,
  task: Readonly<Record<string, string>>,
): boolean {
  for (const [field, value] of Object.entries(want)) {
    const got = task[field];
    if (got === undefined || got.trim().toLowerCase() !== value.trim().toLowerCase()) return false;
  }
  return true;
}

/**
 * The first people match whose field the row has decides: one person, nobody, or two (ambiguous). A field
 * the row lacks, or that names nobody, passes to the next match, so a site can match by uniqueId and fall
 * back to the abbreviation.
 */
function findPerson(
  matches: readonly PeopleMatch[],
  staff: Readonly<Record<string, string>>,
  lookup: (kind: string, value: string) => readonly string[],
): { ids: readonly string[] } {
  for (const m of matches) {
    const value = staff[m.field]?.trim();
    if (!value) continue;
    const ids = lookup(m.match, value);
    if (ids.length > 0) return { ids };
  }
  return { ids: [] };
}
