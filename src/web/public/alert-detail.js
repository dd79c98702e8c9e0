// One alert in full: what it is, whose patient, who else has it, the person's answer buttons, and the
// timeline the server keeps (GET /api/alerts/:id). Everything shown is what the server last said.

import { h, replaceContent } from './dom.js';
import {
  actionLabel,
  clockTime,
  eventLabel,
  locationText,
  personName,
  priorityLabel,
  priorityOf,
  stateLabel,
  timeSince,
} from './format.js';

/** The order the answer buttons appear in; the most common answer is the big one at the bottom. */
const ACTION_ORDER = ['accept', 'reject', 'acknowledge'];

function patientSection(patient, links = []) {
  if (!patient || (!patient.name && !patient.mrn && !patient.location)) return null;
  const row = (label, value) => (value ? [h('dt', {}, label), h('dd', {}, value)] : []);
  return h(
    'section',
    { class: 'panel patient', 'aria-labelledby': 'patient-heading' },
    h('h3', { id: 'patient-heading' }, 'Patient'),
    h(
      'dl',
      {},
      row('Name', patient.name),
      row('MRN', patient.mrn),
      row('Location', locationText(patient.location)),
    ),
    links.length ? ehrLinks(links) : null,
  );
}

/** "Open in EHR" actions (GET /api/patients/:mrn/ehr-links), already filtered for this device. */
export function ehrLinks(links) {
  return h(
    'p',
    { class: 'ehr-links' },
    links.map((l) =>
      h('a', { href: l.url, class: 'bar-button', rel: 'noopener noreferrer', target: '_blank' }, l.label),
    ),
  );
}

function answerSection(alert, view) {
  const actions = ACTION_ORDER.filter((a) => (alert.actions ?? []).includes(a));
  const choices = alert.choices ?? [];
  const { answer = {}, connected, closedReason } = view;
  const blocked = Boolean(closedReason) || !connected || Boolean(answer.pendingAction);
  let note = '';
  if (closedReason) note = 'This alert is closed; no answer is needed.';
  else if (!connected) note = 'Not connected. Your answer can be sent once the connection is back.';
  else if (answer.pendingAction) note = `Sending ${actionLabel(answer.pendingAction).toLowerCase()}…`;
  else if (answer.error) note = answer.error;
  else if (answer.message) note = answer.message;

  const button = (label, focusKey, kind, onPress) =>
    h(
      'button',
      {
        type: 'button',
        class: `answer-button ${kind}`,
        dataset: { focusKey },
        // aria-disabled rather than disabled: the button keeps focus while an answer is on its way.
        'aria-disabled': blocked ? 'true' : null,
        onclick: () => {
          if (!blocked) onPress();
        },
      },
      label,
    );

  if (!actions.length && !choices.length && !note) return null;
  return h(
    'section',
    { class: 'panel answer', 'aria-labelledby': 'answer-heading' },
    h('h3', { id: 'answer-heading' }, 'Your answer'),
    choices.length
      ? h(
          'div',
          { class: 'choices', role: 'group', 'aria-label': 'Reply with' },
          choices.map((choice) =>
            button(choice, `choice:${choice}`, 'choice', () => view.onAnswer('reply', choice)),
          ),
        )
      : null,
    actions.length
      ? h(
          'div',
          { class: 'actions' },
          actions.map((action) => button(actionLabel(action), action, action, () => view.onAnswer(action))),
        )
      : null,
    h(
      'p',
      { class: `answer-note${answer.error && !answer.pendingAction ? ' error' : ''}`, role: 'status' },
      note,
    ),
  );
}

function recipientsSection(alert) {
  const recipients = alert.recipients ?? [];
  if (!recipients.length) return null;
  return h(
    'section',
    { class: 'panel recipients', 'aria-labelledby': 'recipients-heading' },
    h('h3', { id: 'recipients-heading' }, 'Recipients'),
    h(
      'ul',
      {},
      recipients.map((r) =>
        h(
          'li',
          {},
          h('span', { class: 'who' }, r.name || r.personId),
          h('span', { class: 'state', dataset: { state: r.state } }, stateLabel(r.state)),
        ),
      ),
    ),
  );
}

/** The server names the person in `person` (a string); older shapes gave an object or only the id. */
function eventPerson(alert, event) {
  if (typeof event.person === 'string') return event.person;
  return personName(alert, event.person ?? event.personId);
}

function timelineSection(alert, timeline, nowMs, onRetry) {
  let content;
  if (!timeline || timeline.state === 'loading') content = h('p', { class: 'muted' }, 'Loading timeline…');
  else if (timeline.state === 'error')
    content = h(
      'p',
      { class: 'error' },
      `${timeline.message} `,
      h('button', { type: 'button', class: 'link', onclick: onRetry }, 'Try again'),
    );
  else if (!timeline.events.length) content = h('p', { class: 'muted' }, 'No events yet.');
  else
    content = h(
      'ol',
      { class: 'timeline' },
      timeline.events.map((e) =>
        h(
          'li',
          { dataset: { kind: e.kind } },
          h('time', { datetime: e.at }, clockTime(e.at, nowMs)),
          h('span', { class: 'kind' }, eventLabel(e.kind)),
          h('span', { class: 'who' }, eventPerson(alert, e)),
          e.detail ? h('span', { class: 'event-detail' }, e.detail) : null,
        ),
      ),
    );
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'timeline-heading', 'aria-busy': timeline?.state === 'loading' },
    h('h3', { id: 'timeline-heading' }, 'Timeline'),
    content,
  );
}

/**
 * Draws the detail of `view.alert` into `container`.
 * view: { alert, closedReason?, answer?: {pendingAction?, message?, error?}, connected, timeline?,
 *         nowMs, ehrLinks?: [{label, url}], onAnswer(action, choice?), onBack(), onRetryTimeline() }
 */
export function renderAlertDetail(container, view) {
  const { alert, nowMs } = view;
  const back = h(
    'button',
    { type: 'button', class: 'back', dataset: { focusKey: 'back' }, onclick: view.onBack },
    'All alerts',
  );
  if (!alert) {
    replaceContent(
      container,
      back,
      h('h2', { id: 'detail-title' }, 'Alert not found'),
      h('p', {}, 'It may have been closed.'),
    );
    return;
  }
  const priority = priorityOf(alert.priority);
  const ackName = alert.acknowledgedBy ? personName(alert, alert.acknowledgedBy) : '';
  replaceContent(
    container,
    back,
    h(
      'header',
      { class: 'detail-head', dataset: { priority } },
      h('span', { class: 'badge', dataset: { priority } }, priorityLabel(alert.priority)),
      h('h2', { id: 'detail-title', tabindex: '-1' }, alert.title),
      h(
        'p',
        { class: 'meta' },
        h('time', { datetime: alert.createdAt }, clockTime(alert.createdAt, nowMs)),
        ` · ${timeSince(alert.createdAt, nowMs)}`,
      ),
    ),
    view.closedReason
      ? h('p', { class: 'closed-banner', role: 'status' }, `Closed: ${view.closedReason}`)
      : null,
    h(
      'p',
      { class: 'status-line' },
      'You: ',
      h('strong', { class: 'state', dataset: { state: alert.myState } }, stateLabel(alert.myState)),
      alert.status === 'open'
        ? ' · Open'
        : ` · ${stateLabel(alert.status)}${ackName ? ` by ${ackName}` : ''}`,
    ),
    alert.body ? h('p', { class: 'detail-body' }, alert.body) : null,
    patientSection(alert.patient, view.ehrLinks),
    answerSection(alert, view),
    recipientsSection(alert),
    timelineSection(alert, view.timeline, nowMs, view.onRetryTimeline),
  );
}
