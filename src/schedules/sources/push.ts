/**
 * A push source: a scheduling system that sends its changes to the push API (`/api/v1/schedules/:id`,
 * src/api/schedule-push.ts) instead of being pulled. It is configured in sources.yaml like any source
 * (`kind: push`, with its people and assignments mapping, staleness and mass-delete guard), so a push is
 * mapped and guarded exactly like a pull; the push clients allowed to write it are in `pushClients:`.
 *
 * There is nothing to pull: the runner leaves a push source's timer off (`pushed`), and its staleness is
 * the time since its last applied push.
 */
import type { ScheduleSourceClient, SourceKind } from './source.ts';
import { SourceError } from './source.ts';
import { SourceOptions } from './source-options.ts';

export const PUSH_KIND = 'push';

export interface PushSourceClient extends ScheduleSourceClient {
  /** Marks a source that is never pulled. */
  readonly pushed: true;
}

export const pushKind: SourceKind<Record<string, never>> = {
  kind: PUSH_KIND,
  readOptions(options, report) {
    const o = new SourceOptions(options, report, []);
    return o.failed ? undefined : {};
  },
  create: (_options, context): PushSourceClient => ({
    kind: PUSH_KIND,
    pushed: true,
    async pull() {
      throw new SourceError(
        `${context.sourceId} is a push source: its scheduling system sends changes to /api/v1/schedules/${context.sourceId}; there is nothing to pull`,
        { permanent: true },
      );
    },
  }),
};

export function isPushClient(client: ScheduleSourceClient): client is PushSourceClient {
  return (client as Partial<PushSourceClient>).pushed === true;
}
