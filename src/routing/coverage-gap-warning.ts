import type { Logger } from 'pino';
import { formatLocal } from '../schedules/local-time.ts';
import type { CoverageGap } from '../schedules/on-call.ts';
import type { AlertStore } from '../store/alert-port.ts';
import type { RaiseAlert } from './alerts.ts';
import type { Clock } from './clock.ts';
import type { RecipientSpec } from './rules/types.ts';

/** How far back a gap's start is looked for, so a gap already under way keeps the start it had. */
const LOOK_BACK_MS = 86_400_000;
/** Gaps change only when schedules do: looking once a minute is plenty for a warning hours ahead. */
const LOOK_EVERY_MS = 60_000;

export interface CoverageGapWarningDeps {
  /** The schedule's coverage gaps in [from, to) for every assignment (OnCallResolver.coverageGaps). */
  gaps(from: Date, to: Date): Promise<CoverageGap[]>;
  raise(input: RaiseAlert): Promise<unknown>;
  alerts: Pick<AlertStore, 'hasDedupKey'>;
  /** The site's failsafe group, told of the gap. */
  failsafe: readonly RecipientSpec[];
  /** How long before a gap starts its warning goes out. */
  leadMinutes: number;
  zone: string;
  clock: Clock;
  log: Logger;
}

/**
 * Warns the site's failsafe group a set time before an assignment has nobody reachable on call (the gaps
 * `/api/coverage` lists), so the operators can find cover before a page finds no one. Each gap is warned of
 * once: the warning is an alert whose dedup key names the assignment and the gap's start, and that alert,
 * committed like any other, is the durable mark that it was sent, so a restart does not warn again.
 *
 * A gap that began more than a day before it is first seen (an assignment nobody has ever covered) is left
 * to `/api/coverage`: it is a standing fact of the schedule, not news.
 */
export class CoverageGapWarning {
  private lastLook = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: CoverageGapWarningDeps) {}

  /** Looks for gaps starting within the lead time (at most once a minute); returns how many it warned of. */
  async check(): Promise<number> {
    const now = this.deps.clock.now();
    if (now.getTime() - this.lastLook < LOOK_EVERY_MS) return 0;
    this.lastLook = now.getTime();
    const from = new Date(now.getTime() - LOOK_BACK_MS);
    const horizon = new Date(now.getTime() + this.deps.leadMinutes * 60_000);
    let warned = 0;
    for (const { assignment, gaps } of await this.deps.gaps(from, horizon)) {
      for (const gap of gaps) {
        if (gap.start <= from || gap.end <= now) continue; // began before we could know it, or is over
        const key = `coverage-gap:${assignment.id}:${gap.start.toISOString()}`;
        if (await this.deps.alerts.hasDedupKey(key)) continue;
        const start = formatLocal(gap.start, this.deps.zone);
        const until = gap.end < horizon ? ` until ${formatLocal(gap.end, this.deps.zone)}` : '';
        const when = gap.start <= now ? `since ${start}` : `from ${start}`;
        await this.deps.raise({
          messageId: null,
          source: 'coverage',
          ruleId: 'coverage-gap-warning',
          title: `Nobody on call for ${assignment.name} ${when}`,
          body: `${assignment.name} has nobody reachable on call ${when}${until}. Find cover before a page finds no one.`,
          priority: 'high',
          recipients: this.deps.failsafe,
          dedupKey: key,
          context: { assignment: assignment.id, gapStart: gap.start.toISOString() },
          reasons: [
            `coverage gap for ${assignment.name} ${when}${until}, warned ${this.deps.leadMinutes} min ahead`,
          ],
        });
        this.deps.log.warn(
          { assignment: assignment.id, gapStart: gap.start },
          'coverage gap ahead: failsafe told',
        );
        warned += 1;
      }
    }
    return warned;
  }
}
