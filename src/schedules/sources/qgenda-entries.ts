/**
 * The entries of one QGenda pull, read page by page as they arrive (see json-array-batches.ts): each is
 * made a shift, a deletion or a refusal at once, so a pull holds its shifts and never a page's parsed
 * tree. A later entry for the same ScheduleKey (pages overlap by a day) replaces the earlier one.
 */

import { jsonArrayBatches, NotJsonArray } from './json-array-batches.ts';
import { type QGendaRow, readQGendaRow, SharedRecords } from './qgenda-rows.ts';
import type { SourceShift } from './source.ts';
import { SourceError } from './source.ts';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class QGendaEntries {
  /** Entries read so far, over every page. */
  rows = 0;
  /** The newest LastModifiedDateUTC seen (ms), from which the next delta asks. */
  latest: number;
  private readonly shifts = new Map<string, SourceShift>();
  private readonly deleted = new Set<string>();
  private readonly refused: string[] = [];
  /** One staff or task record per distinct one (readQGendaRow's `shared`). */
  private readonly records = new SharedRecords();

  /**
   * @param window the whole-window pull's window (its shifts are those running in it: the day before was
   * asked for the overnight ones); undefined for a delta, which keeps every entry it is sent.
   */
  constructor(
    private readonly zone: string,
    private readonly window: { from: Date; to: Date } | undefined,
    latest: number,
  ) {
    this.latest = latest;
  }

  /**
   * Reads one page's body, a batch of entries per turn of the event loop, so on-call lookups are answered
   * while a large page is read. `what` names the page in messages.
   */
  async readPage(body: AsyncIterable<Uint8Array>, what: string, maxBytes: number): Promise<void> {
    try {
      for await (const batch of jsonArrayBatches(body, { maxBytes })) {
        for (const row of batch) {
          if (row !== null && typeof row === 'object' && !Array.isArray(row)) this.add(row as QGendaRow);
        }
        await nextTurn();
      }
    } catch (error) {
      if (!(error instanceof NotJsonArray)) throw error;
      if (error.json) throw new SourceError(`${what}: the answer is not a list of schedule entries`);
      throw new SourceError(
        `${what}: the answer is not JSON (${error.head.trim() || 'empty'}): ${error.detail}`,
      );
    }
  }

  add(row: QGendaRow): void {
    const reading = readQGendaRow(row, this.rows++, this.zone, this.records);
    if (reading.kind === 'refused') {
      this.refused.push(`${reading.key} ${reading.problem}`);
      return;
    }
    if (reading.modified) this.latest = Math.max(this.latest, reading.modified.getTime());
    if (reading.kind === 'gone') {
      this.shifts.delete(reading.key);
      this.deleted.add(reading.key);
      return;
    }
    this.deleted.delete(reading.key);
    const s = reading.shift;
    if (this.window && (s.end <= this.window.from || s.start >= this.window.to)) return;
    this.shifts.set(reading.key, s);
  }

  /** The shifts and deletions read; throws when any entry was refused. */
  result(): { shifts: SourceShift[]; deleted: string[] } {
    if (this.refused.length) {
      // One refused row fails the pull: in a window pull it would otherwise read as removed.
      const shown = this.refused.slice(0, 5).join('; ');
      const more = this.refused.length > 5 ? ` (and ${this.refused.length - 5} more)` : '';
      throw new SourceError(`QGenda schedule: ${this.refused.length} row(s) refused: ${shown}${more}`);
    }
    return { shifts: [...this.shifts.values()], deleted: [...this.deleted] };
  }
}
