// The list of the person's alerts, newest first. Rows are kept by alert id and updated in place, so a new
// alert arriving does not steal keyboard focus or scroll position from the row the person is on.

import { h } from './dom.js';
import { isUnseen, personName, priorityLabel, priorityOf, stateLabel, timeSince } from './format.js';

function cardContent(alert, nowMs) {
  const acknowledgedByOther = alert.status !== 'open' && alert.myState !== 'acknowledged';
  return [
    h(
      'span',
      { class: 'card-top' },
      h(
        'span',
        { class: 'badge', dataset: { priority: priorityOf(alert.priority) } },
        priorityLabel(alert.priority),
      ),
      isUnseen(alert) ? h('span', { class: 'new-tag' }, 'New') : null,
      h('span', { class: 'age' }, timeSince(alert.createdAt, nowMs)),
    ),
    h('span', { class: 'card-title' }, alert.title),
    alert.body ? h('span', { class: 'card-body' }, alert.body) : null,
    h(
      'span',
      { class: 'card-state' },
      h('span', { class: 'state', dataset: { state: alert.myState } }, stateLabel(alert.myState)),
      acknowledgedByOther
        ? h(
            'span',
            { class: 'handled' },
            alert.acknowledgedBy ? `Handled by ${personName(alert, alert.acknowledgedBy)}` : 'Handled',
          )
        : null,
    ),
  ];
}

/**
 * Draws `alerts` (already sorted) into the `<ul>`. `onOpen(id)` runs when a row is tapped; `selectedId` marks
 * the row whose detail is showing.
 */
export function renderAlertList(list, alerts, { nowMs, onOpen, selectedId }) {
  const rows = new Map([...list.children].map((li) => [li.dataset.id, li]));
  alerts.forEach((alert, index) => {
    const id = String(alert.id);
    let li = rows.get(id);
    rows.delete(id);
    if (!li) {
      li = h(
        'li',
        { dataset: { id } },
        h('button', { type: 'button', class: 'alert-card', onclick: () => onOpen(id) }),
      );
    }
    const card = li.firstElementChild;
    card.dataset.priority = priorityOf(alert.priority);
    card.dataset.status = alert.status;
    card.classList.toggle('unseen', isUnseen(alert));
    if (id === String(selectedId)) card.setAttribute('aria-current', 'true');
    else card.removeAttribute('aria-current');
    card.replaceChildren(...cardContent(alert, nowMs).filter(Boolean));
    // Move only rows that are out of place: moving the focused row would blur it.
    if (list.children[index] !== li) list.insertBefore(li, list.children[index] ?? null);
  });
  for (const stale of rows.values()) stale.remove();
}
