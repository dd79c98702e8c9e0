// The person's alerts as the server last described them (docs/websocket.md, `alert` and `removed` frames).
// The server is the source of truth: every frame replaces our copy whole, we never guess a state locally.

/** Newest first by creation time; the larger id breaks a tie (ids grow with time on one server). */
export function newestFirst(a, b) {
  const diff = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  if (diff !== 0 && !Number.isNaN(diff)) return diff;
  return Number(b.id) - Number(a.id);
}

export class AlertBook {
  #alerts = new Map();

  /**
   * Stores an alert from an `alert` or `ok` frame. Answers 'new' for an alert this page has not seen,
   * 'changed' when something the person can see differs, 'same' for a replay of what we already had.
   */
  put(alert) {
    const key = String(alert.id);
    const before = this.#alerts.get(key);
    this.#alerts.set(key, alert);
    if (!before) return 'new';
    return JSON.stringify(before) === JSON.stringify(alert) ? 'same' : 'changed';
  }

  /** Forgets an alert (`removed` frame); returns what we had, if anything. */
  remove(id) {
    const key = String(id);
    const before = this.#alerts.get(key);
    this.#alerts.delete(key);
    return before;
  }

  get(id) {
    return this.#alerts.get(String(id));
  }

  has(id) {
    return this.#alerts.has(String(id));
  }

  list() {
    return [...this.#alerts.values()].sort(newestFirst);
  }

  get size() {
    return this.#alerts.size;
  }

  clear() {
    this.#alerts.clear();
  }
}
