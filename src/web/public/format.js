// Words and times as a clinician reads them on the alert page. Pure functions: no DOM, no clock of their own.

/** Highest first; also the order the page sorts labels in its legend. */
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'];

const PRIORITY_LABELS = { urgent: 'Urgent', high: 'High', normal: 'Normal', low: 'Low' };

/** docs/websocket.md: a recipient's own state, in the order an answer moves it. */
const STATE_LABELS = {
  queued: 'Pending',
  delivered: 'Delivered',
  read: 'Read',
  accepted: 'Accepted',
  rejected: 'Rejected',
  acknowledged: 'Acknowledged',
  failed: 'Not reached',
};

/** Timeline kinds (src/store/alert-port.ts TimelineEvent.kind) in plain words. */
const EVENT_LABELS = {
  received: 'Received',
  routed: 'Routed',
  notified: 'Notified',
  delivered: 'Delivered',
  read: 'Read',
  accepted: 'Accepted',
  rejected: 'Rejected',
  acknowledged: 'Acknowledged',
  replied: 'Replied',
  escalated: 'Escalated',
  skipped: 'Step skipped',
  failsafe: 'Failsafe',
  updated: 'Updated',
  closed: 'Closed',
  failed: 'Delivery failed',
};

const ACTION_LABELS = { accept: 'Accept', reject: 'Reject', acknowledge: 'Acknowledge' };

const capitalise = (word) => (word ? word[0].toUpperCase() + word.slice(1) : '');

/** Unknown priorities are shown as sent (a newer server may add one) but sound and sort as normal. */
export function priorityOf(priority) {
  return PRIORITIES.includes(priority) ? priority : 'normal';
}

export function priorityLabel(priority) {
  return PRIORITY_LABELS[priority] ?? capitalise(String(priority ?? 'normal'));
}

export function stateLabel(state) {
  return STATE_LABELS[state] ?? capitalise(String(state ?? ''));
}

export function eventLabel(kind) {
  return EVENT_LABELS[kind] ?? capitalise(String(kind ?? ''));
}

export function actionLabel(action) {
  return ACTION_LABELS[action] ?? capitalise(String(action));
}

/** The person has the alert but has not looked at it yet: the page keeps sounding for these. */
export function isUnseen(alert) {
  return alert.status === 'open' && (alert.myState === 'queued' || alert.myState === 'delivered');
}

/** The person has not answered yet (read is not an answer). */
export function awaitsAnswer(alert) {
  return alert.status === 'open' && ['queued', 'delivered', 'read'].includes(alert.myState);
}

/**
 * "just now", "4 min ago", "2 h 5 min ago", "3 d ago". `nowMs` is the server's clock as the page estimates it,
 * so a phone whose clock is wrong still shows how long a critical result has waited.
 */
export function timeSince(iso, nowMs) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.floor((nowMs - then) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest ? `${hours} h ${rest} min ago` : `${hours} h ago`;
  }
  return `${Math.floor(hours / 24)} d ago`;
}

/**
 * Local wall-clock time of an event, with the date when it is not the same local day as `nowMs`.
 * `timeZone` is for tests; the page uses the phone's own zone.
 */
export function clockTime(iso, nowMs, timeZone) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const day = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  const sameDay = day.format(at) === day.format(new Date(nowMs));
  return sameDay ? time : `${day.format(at)} ${time}`;
}

/**
 * A person's name as the alert knows it. `who` is a person id, or an object that already carries the name
 * (`acknowledgedBy: { personId, name }` as the server sends it); an id is looked up among the recipients.
 */
export function personName(alert, who) {
  if (!who) return '';
  if (typeof who === 'object') return who.name || who.personId || '';
  const recipient = (alert?.recipients ?? []).find((r) => r.personId === who);
  return recipient?.name || who;
}

/**
 * A patient location in the words a ward uses: "4W 402-B". The protocol document shows a string; the
 * server may send the census shape `{ facility, unit, room, bed }`, which is put into the same words.
 */
export function locationText(location) {
  if (!location) return '';
  if (typeof location === 'string') return location;
  if (typeof location !== 'object') return String(location);
  const { unit, room, bed, facility } = location;
  const place = room && bed ? `${room}-${bed}` : room || bed || '';
  const words = [unit, place].filter(Boolean).join(' ');
  return words || facility || '';
}
