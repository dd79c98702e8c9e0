// The person's alerts as the server last described them (docs/websocket.md, `alert` and `removed` frames).
// The server is the source of truth: every frame replaces our copy whole. One exception: the protocol has the
// server say nothing back to `delivered` and `read`, so the receipts this page sent are laid over the
// server's state (never lowering it) until a newer frame from the server says at least as much.

/** Only the automatic receipts are laid over; an answer (accept, acknowledge…) always waits for `ok`. */
const RECEIPT_RANK = { queued: 0, delivered: 1, read: 2 };

/** Newest first by creation time; the larger id breaks a tie (ids grow with time on one server). */
export function newestFirst(a, b) {
  const diff = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  if (diff !== 0 && !Number.isNaN(diff)) return diff;
  return Number(b.id) - Number(a.id);
}

export class AlertBook {
  #alerts = new Map();
  #receipts = new Map();

  /**
   * Records that this page sent `delivered` or `read` for an alert, for `personId` (the signed-in person,
   * whose entry in `recipients` changes with it).
   */
  noteReceipt(id, state, personId) {
    if (!(state in RECEIPT_RANK)) return;
    const key = String(id);
    const before = this.#receipts.get(key);
    if (!before || RECEIPT_RANK[state] > RECEIPT_RANK[before.state])
      this.#receipts.set(key, { state, personId });
  }

  #view(alert) {
    const receipt = this.#receipts.get(String(alert.id));
    const rank = RECEIPT_RANK[alert.myState];
    if (!receipt || rank === undefined || rank >= RECEIPT_RANK[receipt.state]) return alert;
    return {
      ...alert,
      myState: receipt.state,
      recipients: (alert.recipients ?? []).map((r) =>
        r.personId === receipt.personId && RECEIPT_RANK[r.state] < RECEIPT_RANK[receipt.state]
          ? { ...r, state: receipt.state }
          : r,
      ),
    };
  }

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
    this.#receipts.delete(key);
    return before;
  }

  get(id) {
    const alert = this.#alerts.get(String(id));
    return alert && this.#view(alert);
  }

  has(id) {
    return this.#alerts.has(String(id));
  }

  list() {
    return [...this.#alerts.values()].map((a) => this.#view(a)).sort(newestFirst);
  }

  get size() {
    return this.#alerts.size;
  }

  clear() {
    this.#alerts.clear();
    this.#receipts.clear();
  }
}
