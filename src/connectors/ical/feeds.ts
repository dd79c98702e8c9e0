/**
 * Serves and hands out the iCalendar feeds. A feed's URL carries a random 32-byte token; the store keeps
 * only its SHA-256, so neither a copy of the database nor a log line (the path is never logged) lets
 * anyone read a feed. Revoking a token ends its URL at once; a new token gives a new URL.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ConnectorStore, FeedSubject } from '../../store/connector-port.ts';
import type { Shift } from '../../store/schedule-port.ts';
import type { ConnectorSettings, PlanningContext } from '../connector.ts';
import { covers, windowOf } from '../feed-consumer.ts';
import { viewShift } from '../shift-view.ts';
import { descriptionOf, type FeedEvent, type FeedShiftState, renderFeed, summaryOf } from './feed.ts';
import type { IcalOptions } from './index.ts';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface IcalFeedsDeps {
  settings: readonly ConnectorSettings[];
  store: ConnectorStore;
  shifts: { shiftsOverlapping(from: Date, to: Date): Promise<Shift[]> };
  planning: PlanningContext;
}

export class IcalFeeds {
  constructor(private readonly deps: IcalFeedsDeps) {}

  private connector(id: string): ConnectorSettings<IcalOptions> | undefined {
    const c = this.deps.settings.find((s) => s.id === id && s.kind === 'ical' && s.enabled);
    return c as ConnectorSettings<IcalOptions> | undefined;
  }

  /** A new token for a subject; resolves with the token (shown once: only its hash is kept). */
  async issue(subject: FeedSubject): Promise<string | undefined> {
    if (!this.connector(subject.connectorId)) return undefined;
    const token = randomBytes(32).toString('base64url');
    await this.deps.store.addFeedToken({
      ...subject,
      tokenHash: hashToken(token),
      createdAt: this.deps.planning.now(),
    });
    return token;
  }

  /** The feed a token names, as text/calendar; undefined for an unknown or revoked token. */
  async render(token: string): Promise<string | undefined> {
    const found = await this.deps.store.feedByToken(hashToken(token));
    const settings = found && this.connector(found.connectorId);
    if (!found || !settings) return undefined;
    const { planning } = this.deps;
    const now = planning.now();
    const window = windowOf({ settings }, now, planning.zone);
    const states = new Map(
      (await this.deps.store.states(settings.id, 'shift:')).map((e) => [
        e.key.slice(6),
        e.value as FeedShiftState,
      ]),
    );
    const events: FeedEvent[] = [];
    const shown = new Set<string>();
    for (const s of await this.deps.shifts.shiftsOverlapping(window.from, window.to)) {
      if (!covers({ settings }, s.assignmentId)) continue;
      if (found.kind === 'person' ? s.personId !== found.id : s.assignmentId !== found.id) continue;
      const view = viewShift(s, settings, planning);
      if (view.kind !== 'shown') continue;
      shown.add(s.id);
      events.push({
        shiftId: s.id,
        start: s.start,
        end: s.end,
        summary: summaryOf(view.facts, found.kind),
        description: descriptionOf(view.facts, settings.include.assignmentInfo),
        sequence: states.get(s.id)?.sequence ?? 0,
        cancelled: false,
      });
    }
    if (settings.options.cancelled === 'status') {
      for (const [shiftId, st] of states) {
        const c = st.cancelled;
        if (!c || shown.has(shiftId)) continue;
        if (found.kind === 'person' ? c.personId !== found.id : c.assignmentId !== found.id) continue;
        const start = new Date(c.start);
        const end = new Date(c.end);
        if (end <= window.from || start >= window.to) continue;
        events.push({
          shiftId,
          start,
          end,
          summary: c.title,
          description: '',
          sequence: st.sequence,
          cancelled: true,
        });
      }
    }
    const name =
      found.kind === 'person'
        ? `${settings.options.calendarName}: ${planning.directory().person(found.id)?.name ?? found.id}`
        : `${settings.options.calendarName}: ${planning.assignment(found.id)?.name ?? found.id}`;
    return renderFeed(events, {
      calendarName: name,
      connectorId: settings.id,
      zone: planning.zone,
      window,
      now,
      transparent: settings.options.showAs === 'free',
    });
  }
}
