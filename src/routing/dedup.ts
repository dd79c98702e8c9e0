import type { RouterDeps } from './router-deps.ts';
import type { RuleMatch } from './rules/types.ts';

/** Minutes a dedup key holds when the rule names no window. */
const DEFAULT_DEDUP_WINDOW_MINUTES = 30;

/**
 * A rule with a dedup key updates the alert still open for that key (raised within the rule's window)
 * instead of raising a second one: a repeated critical result pages the clinician once. Returns the
 * outcome when an open alert took the message, undefined when a new alert is to be raised.
 */
export async function updateDuplicate(
  match: RuleMatch,
  messageId: number,
  now: Date,
  deps: Pick<RouterDeps, 'alerts' | 'service'>,
): Promise<string | undefined> {
  if (!match.dedupKey) return undefined;
  const windowMinutes = match.dedupWindowMinutes ?? DEFAULT_DEDUP_WINDOW_MINUTES;
  const since = new Date(now.getTime() - windowMinutes * 60_000);
  const open = await deps.alerts.findOpenByDedupKey(match.dedupKey, since);
  if (!open) return undefined;
  await deps.service.update(
    open,
    { title: match.title, body: match.body, priority: match.priority },
    `message ${messageId} has the same dedup key (rule ${match.rule.id})`,
  );
  return `alert ${open.id} updated (dedup)`;
}
