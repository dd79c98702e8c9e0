// The operations dashboard: listeners and interfaces (messages per minute over the hour, ACK p50/p99,
// NAKs, quiet warnings), routing, alerts, outbox and connector queues, schedule sources. Reads
// GET /api/operations every 10 seconds while the tab is shown; the chart is uPlot, served by Switchboard
// from node_modules (/console/vendor/uplot.js).

import { ago, useStylesheet, when } from './operations-format.js';

const EVERY_MS = 10_000;
/** Interfaces drawn in the chart at most (the busiest); the table lists them all. */
const CHART_SERIES = 6;
const COLOURS = ['#1f5fa8', '#b3541e', '#2e7d32', '#7b3fa0', '#8a6d00', '#00707a'];

let timer = null;
let chart = null;
let uPlot = null;

// uPlot draws at a fixed width: follow the window (a tablet turned, a desk window resized).
window.addEventListener('resize', () => {
  const box = document.getElementById('ops-chart');
  if (chart && box?.clientWidth) chart.setSize({ width: Math.max(280, box.clientWidth - 16), height: 220 });
});

export default {
  async mount(panel, ctx) {
    const { h } = ctx;
    useStylesheet('/console/vendor/uplot.css');
    useStylesheet('/console/operations.css');
    panel.append(
      h(
        'div',
        { class: 'ops-head' },
        h('h1', { text: 'Operations' }),
        h('p', { class: 'muted', id: 'ops-updated', 'aria-live': 'off' }),
        h(
          'button',
          { type: 'button', id: 'ops-refresh', onclick: () => refresh(panel, ctx, true) },
          'Refresh',
        ),
      ),
      h('p', { class: 'form-error', id: 'ops-error', role: 'alert' }),
      h('div', { id: 'ops-body' }),
    );
    try {
      uPlot = (await import('/console/vendor/uplot.js')).default;
    } catch {
      uPlot = null; // the tables carry every figure; the chart is a convenience
    }
  },
  async show(panel, ctx) {
    await refresh(panel, ctx, false);
    clearInterval(timer);
    timer = setInterval(() => refresh(panel, ctx, false), EVERY_MS);
  },
  hide() {
    clearInterval(timer);
    timer = null;
  },
};

async function refresh(panel, ctx, asked) {
  const error = panel.querySelector('#ops-error');
  let ops;
  try {
    ops = await ctx.api('/api/operations');
  } catch (err) {
    error.textContent = `The figures could not be read: ${err.message}`;
    return;
  }
  error.textContent = '';
  panel.querySelector('#ops-updated').textContent = `Updated ${when(ops.at)}`;
  render(panel.querySelector('#ops-body'), ctx, ops);
  if (asked) ctx.announce('Operations figures updated');
}

function render(body, ctx, ops) {
  const { h } = ctx;
  const interfaces = [...ops.interfaces].sort((a, b) => b.messages - a.messages);
  const quiet = interfaces.filter((i) => i.quietForMinutes !== null);
  const down = ops.listeners.filter((l) => !l.up);
  const warnings = [
    ...down.map((l) => `Listener ${l.name} is ${l.state}${l.error ? `: ${l.error}` : ''}`),
    ...quiet.map((i) => `${i.sender} on ${i.listener} has been quiet for ${i.quietForMinutes} minutes`),
    ...(ops.alerts.escalationLatenessSeconds > 0
      ? [`Escalation is running ${ops.alerts.escalationLatenessSeconds} s late`]
      : []),
    ...ops.scheduleSources
      .filter((s) => s.state === 'stale' || s.state === 'failing')
      .map((s) => `Schedule source ${s.id} is ${s.state}${s.lastError ? `: ${s.lastError}` : ''}`),
  ];
  const chartBox = h('div', { class: 'ops-chart', id: 'ops-chart', 'aria-hidden': 'true' });
  body.replaceChildren(
    warnings.length
      ? h(
          'section',
          { class: 'ops-warnings', 'aria-labelledby': 'ops-warn-title' },
          h('h2', { id: 'ops-warn-title', text: 'Needs attention' }),
          h(
            'ul',
            {},
            warnings.map((w) => h('li', { text: w })),
          ),
        )
      : h('p', {
          class: 'ops-ok',
          text: 'Every listener is up; no interface is quiet; escalation is on time.',
        }),
    h(
      'section',
      { 'aria-labelledby': 'ops-if-title' },
      h('h2', { id: 'ops-if-title', text: 'Interfaces' }),
      h('p', {
        class: 'muted',
        id: 'ops-chart-caption',
        text: interfaces.length
          ? `Messages per minute over the last hour, the ${Math.min(CHART_SERIES, interfaces.length)} busiest interfaces (figures in the table below).`
          : 'No message has arrived since Switchboard started.',
      }),
      chartBox,
      table(
        h,
        'Interfaces',
        ['Listener', 'Sender', 'Messages', 'Last minute', 'ACK p50', 'ACK p99', 'NAKs', 'Last message', ''],
        interfaces.map((i) => [
          i.listener,
          i.sender,
          i.messages,
          i.perMinute[i.perMinute.length - 1],
          ms(i.ackP50Ms),
          ms(i.ackP99Ms),
          i.naks,
          i.lastMessageAt ? ago(i.lastMessageAt, ops.at) : '—',
          i.quietForMinutes !== null ? badge(h, `quiet ${i.quietForMinutes} min`, 'warn') : '',
        ]),
      ),
    ),
    h(
      'div',
      { class: 'ops-grid' },
      card(
        h,
        'Listeners',
        table(
          h,
          'Listeners',
          ['Listener', 'State', 'Connections'],
          ops.listeners.map((l) => [
            l.name,
            badge(h, l.up ? 'up' : l.state, l.up ? 'ok' : 'bad'),
            l.connections ?? '—',
          ]),
        ),
      ),
      card(
        h,
        'Routing',
        figures(h, [
          ['Backlog', ops.routing.backlog],
          ['Routed (24 h)', ops.routing.lastDay.routed],
          ['Filtered (24 h)', ops.routing.lastDay.filtered],
          ['Unrouted (24 h)', ops.routing.lastDay.unrouted],
          ['Failed (24 h)', ops.routing.lastDay.failed],
          ['Received, not yet routed (24 h)', ops.routing.lastDay.received],
          ['Received → routed p50', ms(ops.routing.routeP50Ms)],
          ['Received → routed p99', ms(ops.routing.routeP99Ms)],
        ]),
      ),
      card(
        h,
        'Alerts',
        figures(h, [
          ['Open', ops.alerts.open],
          ['Acknowledged (24 h)', ops.alerts.acknowledged],
          ['Escalation lateness', `${ops.alerts.escalationLatenessSeconds} s`],
        ]),
      ),
      card(
        h,
        'Outbox and connectors',
        ops.outbox.length
          ? table(
              h,
              'Outbox and connector queues',
              ['Channel', 'Queued', 'Retrying', 'Dead'],
              ops.outbox.map((q) => [
                q.channel,
                q.queued,
                q.retrying,
                q.dead ? badge(h, String(q.dead), 'bad') : 0,
              ]),
            )
          : h('p', { class: 'muted', text: 'Nothing waiting and no dead letters.' }),
        ops.outboxCapped
          ? h('p', { class: 'muted', text: 'More than 5,000 in a state: figures are at least.' })
          : null,
      ),
      card(
        h,
        'Schedule sources',
        ops.scheduleSources.length
          ? table(
              h,
              'Schedule sources',
              ['Source', 'State', 'Last sync'],
              ops.scheduleSources.map((s) => [
                s.id,
                badge(h, s.state, s.state === 'ok' ? 'ok' : s.state === 'disabled' ? 'muted' : 'bad'),
                s.lastSuccessAt ? ago(s.lastSuccessAt, ops.at) : 'never',
              ]),
            )
          : h('p', { class: 'muted', text: 'No scheduling source is configured.' }),
      ),
    ),
  );
  draw(chartBox, interfaces.slice(0, CHART_SERIES), ops.at);
}

function draw(box, interfaces, at) {
  chart?.destroy();
  chart = null;
  if (!uPlot || interfaces.length === 0) return;
  const end = Math.floor(Date.parse(at) / 60_000) * 60;
  const xs = interfaces[0].perMinute.map((_, k) => end - (interfaces[0].perMinute.length - 1 - k) * 60);
  // clientWidth includes the box's padding (0.5rem each side).
  const width = Math.max(280, (box.clientWidth || box.parentElement?.clientWidth || 656) - 16);
  chart = new uPlot(
    {
      width,
      height: 220,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(5, max)] } },
      axes: [{}, { label: 'msgs/min', size: 50 }],
      series: [
        {},
        ...interfaces.map((i, k) => ({
          label: `${i.sender} (${i.listener})`,
          stroke: COLOURS[k % COLOURS.length],
          width: 2,
        })),
      ],
    },
    [xs, ...interfaces.map((i) => i.perMinute)],
    box,
  );
}

function table(h, caption, head, rows) {
  return h(
    'table',
    { class: 'ops-table' },
    h('caption', { class: 'visually-hidden', text: caption }),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        head.map((c) => h('th', { scope: 'col', text: c })),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length
        ? rows.map((r) =>
            h(
              'tr',
              {},
              r.map((c) => h('td', {}, c instanceof Node ? c : String(c))),
            ),
          )
        : h('tr', {}, h('td', { colspan: String(head.length), class: 'muted', text: 'None' })),
    ),
  );
}

function card(h, title, ...content) {
  const id = `ops-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return h('section', { class: 'ops-card', 'aria-labelledby': id }, h('h2', { id, text: title }), ...content);
}

function figures(h, pairs) {
  return h(
    'dl',
    { class: 'ops-figures' },
    pairs.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: String(v ?? '—') })]),
  );
}

function badge(h, text, kind) {
  return h('span', { class: `ops-badge ops-${kind}`, text });
}

function ms(v) {
  return v === null || v === undefined ? '—' : `${v} ms`;
}
