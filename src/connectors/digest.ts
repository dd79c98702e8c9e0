/**
 * The failure digest: what went wrong with one connector over one interval (people it could not map,
 * assignments without a target name, connection errors, jobs given up), as one e-mail to the site's
 * administrators. At most one per connector per interval: the outbox row's once-key names the interval,
 * and the row falls due when the interval ends, so the e-mail lists everything of that interval.
 */
import type { ConnectorLogEntry } from '../store/connector-port.ts';
import type { NewDelivery } from '../store/outbox-port.ts';

export const DIGEST_CHANNEL = 'connector-digest';

export interface DigestOrder {
  connectorId: string;
  from: string;
  to: string;
}

/** The digest row for the interval `now` falls in (written again in the same interval: dropped). */
export function digestJob(connectorId: string, intervalMinutes: number, now: Date): NewDelivery {
  const ms = intervalMinutes * 60_000;
  const bucket = Math.floor(now.getTime() / ms);
  const from = new Date(bucket * ms);
  const to = new Date((bucket + 1) * ms);
  return {
    channel: DIGEST_CHANNEL,
    target: `${connectorId}:digest`,
    payload: { connectorId, from: from.toISOString(), to: to.toISOString() } satisfies DigestOrder,
    alertId: null,
    dueAt: to,
    onceKey: `digest:${connectorId}:${bucket}`,
  };
}

/** Subject and text of the e-mail, from the log entries of the interval (newest first). */
export function digestText(
  siteName: string,
  order: DigestOrder,
  entries: readonly ConnectorLogEntry[],
): { subject: string; text: string } {
  // A person without a UPN is skipped at each change of their shifts: named once, with a count.
  const skips = new Map<string, { entry: ConnectorLogEntry; times: number }>();
  for (const e of entries.filter((x) => x.outcome === 'skipped')) {
    const key = `${e.target}\u0000${e.answer}`;
    const seen = skips.get(key);
    if (seen) seen.times++;
    else skips.set(key, { entry: e, times: 1 });
  }
  const skipped = [...skips.values()].map((s) => ({
    ...s.entry,
    answer: `${s.entry.answer ?? ''}${s.times > 1 ? ` (${s.times} times)` : ''}`,
  }));
  const dead = entries.filter((e) => e.outcome === 'dead');
  const retried = entries.filter((e) => e.outcome === 'retry');
  const subject = `${siteName}: connector ${order.connectorId}: ${skipped.length} not sent, ${dead.length} given up, ${retried.length} retried`;
  const lines = [
    `Connector ${order.connectorId}, ${order.from} to ${order.to} (UTC).`,
    '',
    ...section(
      'Not sent (fix the directory or the mapping in connectors.yaml)',
      skipped,
      (e) => `${e.target}: ${e.answer ?? ''}`,
    ),
    ...section(
      'Given up after retries or refused (re-drive them from the API once fixed)',
      dead,
      (e) => `#${e.deliveryId} ${e.summary}: ${e.answer ?? ''}`,
    ),
    ...section(
      'Failed attempts that will be retried (connection errors, throttling)',
      retried,
      (e) => `#${e.deliveryId} ${e.summary}: ${e.answer ?? ''}`,
    ),
  ];
  return { subject, text: lines.join('\n') };
}

function section(
  title: string,
  entries: readonly ConnectorLogEntry[],
  line: (e: ConnectorLogEntry) => string,
): string[] {
  if (entries.length === 0) return [];
  const shown = entries.slice(0, 50).map((e) => `- ${line(e)}`);
  const more =
    entries.length > 50 ? [`- and ${entries.length - 50} more (GET /api/connectors/<id>/deliveries)`] : [];
  return [`${title}:`, ...shown, ...more, ''];
}
