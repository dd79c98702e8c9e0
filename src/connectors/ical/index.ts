/**
 * iCalendar feeds: one per person and one per assignment, at unguessable URLs (a random token, only its
 * SHA-256 kept, revocable), served from the schedule store on each poll (feeds.ts). Following the change
 * feed, the connector keeps per shift a SEQUENCE (bumped at each change, so a client replaces its copy)
 * and, when cancelled shifts are shown as STATUS:CANCELLED, the shift's last state. It sends nothing.
 */
import type { SectionChecks } from '../../kit/section-checks.ts';
import type { ConnectorStateEntry, ConnectorStore } from '../../store/connector-port.ts';
import type { ScheduleChange } from '../../store/schedule-port.ts';
import type {
  Connector,
  ConnectorKind,
  ConnectorPlan,
  ConnectorSettings,
  PlanningContext,
} from '../connector.ts';
import { viewShift } from '../shift-view.ts';
import { cancelledOf, type FeedShiftState, summaryOf } from './feed.ts';

export interface IcalOptions {
  /** drop: a cancelled shift leaves the feed; status: it stays as STATUS:CANCELLED. @defaultValue status */
  cancelled: 'drop' | 'status';
  /** busy (OPAQUE) or free (TRANSPARENT). @defaultValue busy */
  showAs: 'busy' | 'free';
  /** The calendar's name in the subscriber's list. @defaultValue On call */
  calendarName: string;
}

export const feedStateKey = (shiftId: string) => `shift:${shiftId}`;

class IcalFeedConnector implements Connector {
  constructor(
    readonly settings: ConnectorSettings<IcalOptions>,
    private readonly store: ConnectorStore,
  ) {}

  async planChanges(changes: readonly ScheduleChange[], ctx: PlanningContext): Promise<ConnectorPlan> {
    const next = new Map<string, FeedShiftState>();
    const skipped = [];
    for (const c of changes) {
      const key = feedStateKey(c.shiftId);
      const current =
        next.get(key) ?? ((await this.store.state(this.settings.id, key)) as FeedShiftState | undefined);
      const sequence = (current?.sequence ?? 0) + 1;
      const after = c.after ? viewShift(c.after, this.settings, ctx) : undefined;
      const before = c.before ? viewShift(c.before, this.settings, ctx) : undefined;
      if (after?.kind === 'skipped') skipped.push(after.skip);
      if (
        after?.kind !== 'shown' &&
        before?.kind === 'shown' &&
        this.settings.options.cancelled === 'status' &&
        c.before
      ) {
        next.set(key, { sequence, cancelled: cancelledOf(c.before, summaryOf(before.facts, 'person')) });
      } else next.set(key, { sequence });
    }
    const state: ConnectorStateEntry[] = [...next].map(([key, value]) => ({ key, value }));
    return { jobs: [], state, skipped };
  }

  /** Feeds are read live from the store: the window needs no jobs. */
  async planWindow(): Promise<ConnectorPlan> {
    return { jobs: [] };
  }
}

export const icalKind: ConnectorKind<IcalOptions> = {
  kind: 'ical',
  optionKeys: ['cancelled', 'showAs', 'calendarName'],
  cadences: ['onChange'],
  readOptions(raw, checks: SectionChecks, path) {
    const cancelled = checks.text(raw?.cancelled, [...path, 'cancelled'], false) ?? 'status';
    if (cancelled !== 'drop' && cancelled !== 'status')
      checks.report([...path, 'cancelled'], 'must be drop or status');
    const showAs = checks.text(raw?.showAs, [...path, 'showAs'], false) ?? 'busy';
    if (showAs !== 'busy' && showAs !== 'free') checks.report([...path, 'showAs'], 'must be busy or free');
    return {
      cancelled: cancelled === 'drop' ? 'drop' : 'status',
      showAs: showAs === 'free' ? 'free' : 'busy',
      calendarName: checks.text(raw?.calendarName, [...path, 'calendarName'], false) ?? 'On call',
    };
  },
  create: (settings, ctx) => new IcalFeedConnector(settings, ctx.store),
  sender: () => undefined,
};
