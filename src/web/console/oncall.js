// The on-call view: who is on call now for every assignment (searchable by assignment or person), and per
// assignment a timeline of the next days, a lane per call order, with the stretches nobody reachable
// covers highlighted. Reads GET /api/oncall and GET /api/oncall/timeline.

import { useStylesheet, when } from './operations-format.js';

let state = { days: 3, query: '', now: null, timeline: null };

export default {
  mount(panel, ctx) {
    const { h } = ctx;
    useStylesheet('/console/operations.css');
    panel.append(
      h('div', { class: 'ops-head' }, h('h1', { text: 'On call' })),
      h(
        'div',
        { class: 'oc-controls' },
        h(
          'label',
          {},
          'Find an assignment or a person',
          h('input', {
            type: 'search',
            id: 'oc-search',
            autocomplete: 'off',
            oninput: (e) => {
              state.query = e.target.value.trim().toLowerCase();
              render(panel, ctx);
            },
          }),
        ),
        h(
          'label',
          {},
          'Days ahead',
          h(
            'select',
            {
              id: 'oc-days',
              onchange: async (e) => {
                state.days = Number(e.target.value);
                await load(panel, ctx);
              },
            },
            [1, 3, 7, 14].map((d) =>
              h('option', { value: String(d), selected: d === state.days }, String(d)),
            ),
          ),
        ),
      ),
      h('p', { class: 'form-error', id: 'oc-error', role: 'alert' }),
      h('p', { class: 'muted', id: 'oc-count', 'aria-live': 'polite' }),
      h(
        'section',
        { 'aria-labelledby': 'oc-now-title' },
        h('h2', { id: 'oc-now-title', text: 'On call now' }),
        h('div', { id: 'oc-now' }),
      ),
      h(
        'section',
        { 'aria-labelledby': 'oc-tl-title' },
        h('h2', { id: 'oc-tl-title', text: 'The next days' }),
        h('p', {
          class: 'muted',
          text: 'One lane per call order. Hatched red: nobody reachable on a published shift. Dashed: a draft shift. Black line: now.',
        }),
        h('div', { id: 'oc-timeline' }),
      ),
    );
  },
  async show(panel, ctx) {
    await load(panel, ctx);
  },
};

async function load(panel, ctx) {
  const error = panel.querySelector('#oc-error');
  try {
    const [now, timeline] = await Promise.all([
      ctx.api('/api/oncall'),
      ctx.api(`/api/oncall/timeline?days=${state.days}`),
    ]);
    state = { ...state, now, timeline };
    error.textContent = '';
  } catch (err) {
    error.textContent = `The schedule could not be read: ${err.message}`;
    return;
  }
  render(panel, ctx);
}

function matches(assignment, people) {
  const q = state.query;
  if (!q) return true;
  return (
    assignment.name.toLowerCase().includes(q) ||
    assignment.id.toLowerCase().includes(q) ||
    assignment.department?.toLowerCase().includes(q) ||
    people.some((p) => p.name.toLowerCase().includes(q))
  );
}

function render(panel, ctx) {
  const { h } = ctx;
  if (!state.now || !state.timeline) return;
  const nowRows = state.now.items
    .filter((i) => matches(i.assignment, i.onCall))
    .sort((a, b) => a.assignment.name.localeCompare(b.assignment.name));
  const lanes = state.timeline.items.filter((i) => matches(i.assignment, i.shifts));
  panel.querySelector('#oc-count').textContent = state.query
    ? `${nowRows.length} of ${state.now.items.length} assignments match “${state.query}”.`
    : `${state.now.items.length} assignments.`;
  panel.querySelector('#oc-now').replaceChildren(
    h(
      'table',
      { class: 'ops-table' },
      h('caption', { class: 'visually-hidden', text: 'Who is on call now, by assignment and call order' }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Assignment', 'Call order', 'Who', 'Until', ''].map((c) => h('th', { scope: 'col', text: c })),
        ),
      ),
      h(
        'tbody',
        {},
        nowRows.length
          ? nowRows.flatMap((i) =>
              i.onCall.length
                ? i.onCall.map((e, k) =>
                    h(
                      'tr',
                      {},
                      h('td', { text: k === 0 ? i.assignment.name : '' }),
                      h('td', { text: ordinal(e.callOrder) }),
                      h('td', { text: e.name }),
                      h('td', { text: when(e.shift.end) }),
                      h(
                        'td',
                        {},
                        e.reachable
                          ? ''
                          : h('span', { class: 'ops-badge ops-bad', text: 'no contact point' }),
                      ),
                    ),
                  )
                : [
                    h(
                      'tr',
                      {},
                      h('td', { text: i.assignment.name }),
                      h('td', { text: '—' }),
                      h('td', {}, h('span', { class: 'ops-badge ops-bad', text: 'nobody on call' })),
                      h('td', { text: '' }),
                      h('td', { text: '' }),
                    ),
                  ],
            )
          : h('tr', {}, h('td', { colspan: '5', class: 'muted', text: 'No assignment matches.' })),
      ),
    ),
  );
  const from = Date.parse(state.timeline.from);
  const to = Date.parse(state.timeline.to);
  panel
    .querySelector('#oc-timeline')
    .replaceChildren(...lanes.map((item) => assignmentTimeline(h, item, from, to)));
}

function assignmentTimeline(h, item, from, to) {
  const span = to - from;
  const at = (t) => Math.max(0, Math.min(100, ((Date.parse(t) - from) / span) * 100));
  const place = (el, start, end) => {
    // CSSOM, not a style attribute: the console's CSP allows no inline style attributes.
    el.style.left = `${at(start)}%`;
    el.style.width = `${Math.max(0.3, at(end) - at(start))}%`;
    return el;
  };
  const orders = [...new Set(item.shifts.map((s) => s.callOrder))].sort((a, b) => a - b);
  if (orders.length === 0) orders.push(1);
  // Each midnight (the browser's zone) inside the window; setDate steps over a DST change correctly.
  const days = [];
  const midnight = new Date(from);
  midnight.setHours(0, 0, 0, 0);
  for (
    midnight.setDate(midnight.getDate() + 1);
    midnight.getTime() < to;
    midnight.setDate(midnight.getDate() + 1)
  )
    days.push(new Date(midnight));
  const dayRow = h('div', { class: 'oc-days', 'aria-hidden': 'true' });
  for (const d of days) {
    const label = h('span', { text: d.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric' }) });
    label.style.left = `${at(d.toISOString())}%`;
    dayRow.append(label);
  }
  const nowLine = () => {
    const line = h('div', { class: 'oc-nowline' });
    line.style.left = '0%';
    return line;
  };
  const tracks = orders.map((order) => {
    const track = h('div', { class: 'oc-track' });
    for (const g of item.gaps) track.append(place(h('div', { class: 'oc-gap' }), g.start, g.end));
    for (const s of item.shifts.filter((x) => x.callOrder === order)) {
      const cls = ['oc-shift', s.published ? '' : 'oc-draft', s.reachable ? '' : 'oc-unreachable']
        .join(' ')
        .trim();
      track.append(
        place(
          h('div', { class: cls, title: `${s.name}: ${when(s.start)} – ${when(s.end)}`, text: s.name }),
          s.start,
          s.end,
        ),
      );
    }
    track.append(nowLine());
    return [h('div', { class: 'oc-lane-label', text: ordinal(order) }), track];
  });
  const title = `${item.assignment.name}`;
  return h(
    'section',
    { class: 'oc-assignment', 'aria-label': title },
    h('h3', { text: title }),
    h('div', { 'aria-hidden': 'true' }, dayRow, tracks.flat()),
    item.gaps.length
      ? h(
          'ul',
          { class: 'oc-gap-list' },
          item.gaps.map((g) => h('li', { text: `Nobody reachable ${when(g.start)} – ${when(g.end)}` })),
        )
      : null,
    h(
      'details',
      {},
      h('summary', { text: `Shifts as a list (${item.shifts.length})` }),
      h(
        'table',
        { class: 'ops-table' },
        h('caption', { class: 'visually-hidden', text: `Shifts of ${title}` }),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Call order', 'Who', 'From', 'To', 'Note'].map((c) => h('th', { scope: 'col', text: c })),
          ),
        ),
        h(
          'tbody',
          {},
          item.shifts.map((s) =>
            h(
              'tr',
              {},
              h('td', { text: ordinal(s.callOrder) }),
              h('td', { text: s.name }),
              h('td', { text: when(s.start) }),
              h('td', { text: when(s.end) }),
              h('td', {
                text: [s.published ? '' : 'draft', s.reachable ? '' : 'no contact point']
                  .filter(Boolean)
                  .join(', '),
              }),
            ),
          ),
        ),
      ),
    ),
  );
}

function ordinal(n) {
  return n === 1 ? '1st call' : n === 2 ? '2nd call' : n === 3 ? '3rd call' : `${n}th call`;
}
