// The Messages tab: search stored messages, open one (raw, parsed tree, path), reprocess a selection
// after a preview, export it, send a dead-lettered page again. The server audits every view and action.

import { h } from '/dom.js';
import { rawView, treeView } from './hl7-view.js';

const PAGE = 50;
const COUNT_UP_TO = 10_000;
const STATUSES = ['', 'received', 'routed', 'filtered', 'unrouted', 'failed'];
const when = (t) => (t ? new Date(t).toLocaleString() : '');

function field(id, label, input) {
  input.id = id;
  return h('div', {}, h('label', { for: id, text: label }), input);
}

export default {
  mount(panel, ctx) {
    const state = { offset: 0, total: 0, selected: new Set(), query: {} };
    const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Search messages' });
    const inputs = {
      since: h('input', { type: 'datetime-local' }),
      until: h('input', { type: 'datetime-local' }),
      mrn: h('input', { autocomplete: 'off' }),
      text: h('input', { autocomplete: 'off' }),
      controlId: h('input', { autocomplete: 'off' }),
      sender: h('input', { autocomplete: 'off' }),
      type: h('input', { placeholder: 'ORU^R01', autocomplete: 'off' }),
      listener: h('input', { placeholder: 'mllp', autocomplete: 'off' }),
      status: h('select', {}, ...STATUSES.map((s) => h('option', { value: s, text: s || 'any' }))),
    };
    form.append(
      field('q-mrn', 'MRN', inputs.mrn),
      field('q-text', 'Words in the message', inputs.text),
      field('q-control', 'Control id', inputs.controlId),
      field('q-sender', 'Sender', inputs.sender),
      field('q-type', 'Type^trigger', inputs.type),
      field('q-listener', 'Listener', inputs.listener),
      field('q-status', 'Status', inputs.status),
      field('q-since', 'Received from', inputs.since),
      field('q-until', 'Received before', inputs.until),
      h('button', { type: 'submit', class: 'primary', text: 'Search' }),
    );
    const summary = h('p', { class: 'muted', role: 'status' });
    const table = h('table', { 'aria-label': 'Messages, newest first' });
    const pager = h('div', { class: 'actions' });
    const selection = h('div', { class: 'actions' });
    const detail = h('section', { class: 'message-detail', 'aria-label': 'Message detail', tabindex: '-1' });
    const dialog = h('dialog', { 'aria-labelledby': 'reprocess-title' });
    panel.append(
      h('h1', { class: 'visually-hidden', text: 'Messages' }),
      form,
      summary,
      selection,
      table,
      pager,
      detail,
      dialog,
    );

    async function search(offset = 0) {
      const params = new URLSearchParams();
      for (const [key, input] of Object.entries(inputs)) {
        const v = input.value.trim();
        if (!v) continue;
        params.set(key, key === 'since' || key === 'until' ? new Date(v).toISOString() : v);
      }
      // Counting every match of a broad filter costs as much as the page: beyond this, "more than".
      params.set('countUpTo', String(COUNT_UP_TO));
      params.set('limit', String(PAGE));
      params.set('offset', String(offset));
      summary.textContent = 'Searching…';
      try {
        const { items, total, totalExact } = await ctx.api(`/api/messages?${params}`);
        state.offset = offset;
        state.total = total;
        renderTable(items);
        summary.textContent = total
          ? `${totalExact === false ? `More than ${total.toLocaleString('en-US')}` : total} message${total === 1 ? '' : 's'}; ${offset + 1}–${offset + items.length} shown, newest first.`
          : 'No message matches.';
        ctx.announce(summary.textContent);
      } catch (error) {
        summary.textContent = error.message;
      }
    }

    function renderTable(items) {
      state.selected.clear();
      renderSelection();
      const head = h(
        'tr',
        {},
        ...['', 'Received', 'Type', 'Sender', 'Control id', 'MRN', 'Listener', 'Status'].map((t, i) =>
          h('th', { scope: 'col' }, i === 0 ? h('span', { class: 'visually-hidden', text: 'Select' }) : t),
        ),
      );
      const rows = items.map((m) => {
        const box = h('input', {
          type: 'checkbox',
          'aria-label': `Select message ${m.controlId}`,
          onchange: (e) => {
            if (e.target.checked) state.selected.add(m.id);
            else state.selected.delete(m.id);
            renderSelection();
          },
        });
        const open = h('button', {
          type: 'button',
          class: 'link',
          text: m.controlId,
          onclick: () => openMessage(m.id),
        });
        return h(
          'tr',
          {},
          h('td', {}, box),
          h('td', { class: 'time', text: when(m.receivedAt) }),
          h('td', { text: `${m.messageType}^${m.triggerEvent}` }),
          h('td', { text: `${m.sendingApplication} ${m.sendingFacility}` }),
          h('td', {}, open),
          h('td', { text: m.patientMrn ?? '' }),
          h('td', { text: m.listener }),
          h('td', { class: `status status-${m.status}`, text: m.status }),
        );
      });
      table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows));
      pager.replaceChildren(
        h('button', {
          type: 'button',
          text: 'Newer',
          disabled: state.offset === 0,
          onclick: () => search(Math.max(0, state.offset - PAGE)),
        }),
        h('button', {
          type: 'button',
          text: 'Older',
          disabled: state.offset + PAGE >= state.total,
          onclick: () => search(state.offset + PAGE),
        }),
      );
    }

    function renderSelection() {
      const n = state.selected.size;
      selection.replaceChildren(
        h('span', { class: 'muted', text: `${n} selected` }),
        h('button', {
          type: 'button',
          text: 'Reprocess…',
          disabled: n === 0,
          onclick: () => reprocess([...state.selected]),
        }),
        h('button', {
          type: 'button',
          text: 'Export HL7',
          disabled: n === 0,
          onclick: () => exportSelection('hl7'),
        }),
        h('button', {
          type: 'button',
          text: 'Export CSV',
          disabled: n === 0,
          onclick: () => exportSelection('csv'),
        }),
      );
    }

    async function exportSelection(format) {
      const response = await fetch('/api/messages/export', {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.session.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ids: [...state.selected], format }),
      });
      if (!response.ok) return ctx.announce('Export failed');
      const name =
        /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
        `messages.${format}`;
      const url = URL.createObjectURL(await response.blob());
      const a = h('a', { href: url, download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      ctx.announce(`Exported ${state.selected.size} message(s) as ${format.toUpperCase()}`);
    }

    async function reprocess(ids) {
      const preview = await ctx.api('/api/messages/reprocess', { method: 'POST', body: { ids } });
      const list = h('ul', {}, ...preview.results.map((r) => h('li', {}, reprocessLine(r))));
      const confirm = h('button', {
        type: 'button',
        class: 'primary',
        text: `Route ${ids.length} message${ids.length === 1 ? '' : 's'} again`,
        onclick: async () => {
          confirm.disabled = true;
          const done = await ctx.api('/api/messages/reprocess', {
            method: 'POST',
            body: { ids, confirm: true },
          });
          list.replaceChildren(...done.results.map((r) => h('li', {}, doneLine(r))));
          confirm.remove();
          ctx.announce('Reprocessed');
          search(state.offset);
        },
      });
      dialog.replaceChildren(
        h('h2', { id: 'reprocess-title', text: 'Reprocess through the rules in force' }),
        h('p', { class: 'muted', text: 'What would happen (a dry run; nothing has been sent yet):' }),
        list,
        h(
          'div',
          { class: 'actions' },
          confirm,
          h('button', { type: 'button', text: 'Close', onclick: () => dialog.close() }),
        ),
      );
      dialog.showModal();
    }

    async function openMessage(id) {
      detail.replaceChildren(h('p', { class: 'muted', text: 'Loading…' }));
      try {
        const [message, path] = await Promise.all([
          ctx.api(`/api/messages/${id}`),
          ctx.api(`/api/messages/${id}/path`),
        ]);
        detail.replaceChildren(...messageDetail(message, path, ctx, () => openMessage(id)));
        detail.focus();
      } catch (error) {
        detail.replaceChildren(h('p', { class: 'form-error', text: error.message }));
      }
    }

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      search(0);
    });
    renderSelection();
    search(0);
  },
};

/** Why a rule matched (the conditions that held) or not (the first that failed). */
function whyLine(t) {
  if (t.skipped) return ': not evaluated, an earlier rule stopped evaluation';
  if (t.error) return `: its condition failed to run (${t.error})`;
  if (!t.matched) return t.failedOn ? `: ${t.failedOn}` : '';
  return t.reasons?.length ? `: ${t.reasons.join('; ')}` : '';
}

function reprocessLine(r) {
  if (!r.found) return `message ${r.id}: not found`;
  const p = r.preview;
  const rules = p.matches.map((m) =>
    m.filtered
      ? `filtered by ${m.ruleId}`
      : `${m.ruleId} → ${m.recipients.map((x) => x.personId).join(', ') || 'nobody'}`,
  );
  return `message ${r.id}: ${p.outcome}${rules.length ? ` (${rules.join('; ')})` : ''}${r.warning ? `. Note: ${r.warning}` : ''}`;
}

function doneLine(r) {
  if (!r.found) return `message ${r.id}: not found`;
  const fresh = r.newAlerts.length ? `new alert ${r.newAlerts.join(', ')}` : 'no new alert';
  return `message ${r.id}: ${r.status} (${r.statusDetail ?? ''}); ${fresh}${r.warning ? `. ${r.warning}` : ''}`;
}

function messageDetail(m, path, ctx, reload) {
  const head = h(
    'div',
    {},
    h('h2', { text: `${m.messageType}^${m.triggerEvent} ${m.controlId}` }),
    h(
      'p',
      {},
      h('span', { class: `status status-${m.status}`, text: m.status }),
      m.statusDetail ? ` — ${m.statusDetail}` : '',
      h('br'),
      h('span', {
        class: 'time',
        text: `received ${when(m.receivedAt)} on ${m.listener} from ${m.peer}, ${m.size} bytes`,
      }),
    ),
    h('p', { class: 'muted', text: `ACK: ${path.ack.note}` }),
  );
  const raw = h('div', {}, h('h3', { text: 'Raw message' }), rawView(m.raw));
  const tree = h(
    'div',
    {},
    h('h3', { text: 'Parsed' }),
    m.parseError ? h('p', { class: 'form-error', text: m.parseError }) : treeView(m.parsed, m.raw),
  );
  return [head, h('div', { class: 'split' }, raw, tree), pathView(path, ctx, reload)];
}

function pathView(path, ctx, reload) {
  const steps = h('ol', {});
  steps.append(
    h('li', {}, h('span', { class: 'time', text: when(path.receivedAt) }), ` received on ${path.listener}`),
  );
  const rules = h(
    'li',
    {},
    h('span', { class: 'time', text: when(path.rules.at) }),
    ` rules (${path.rules.note}, version ${path.rules.version}): ${path.rules.outcome}`,
  );
  const ruleList = h('ul', {});
  for (const t of path.rules.traces ?? []) {
    const match = path.rules.matches.find((x) => x.ruleId === t.ruleId);
    ruleList.append(
      h(
        'li',
        {},
        h('span', {
          class: t.matched ? 'matched' : 'unmatched',
          text: `${t.matched ? 'matched' : 'not matched'} ${t.ruleId}`,
        }),
        whyLine(t),
        match && !match.filtered
          ? h(
              'ul',
              {},
              ...match.recipients.map((r) => h('li', { text: `would go to ${r.personId}: ${r.reason}` })),
              ...match.notes.map((n) => h('li', { text: n })),
            )
          : null,
      ),
    );
  }
  rules.append(ruleList);
  steps.append(rules);
  for (const a of path.alerts) {
    const alert = h(
      'li',
      {},
      h('span', { class: 'time', text: when(a.createdAt) }),
      ` alert ${a.id} (${a.ruleId}, ${a.priority}): ${a.title} — ${a.status}`,
    );
    const inner = h('ul', {});
    for (const r of a.recipients)
      inner.append(
        h(
          'li',
          {},
          h('span', { class: 'time', text: when(r.notifiedAt) }),
          ` to ${r.personId} (step ${r.step + 1}): ${r.reason} — ${r.state}`,
        ),
      );
    for (const d of a.deliveries)
      inner.append(
        h(
          'li',
          { class: d.state === 'dead' ? 'dead' : '' },
          h('span', { class: 'time', text: when(d.createdAt) }),
          ` delivery ${d.id} ${d.channel} → ${d.target}: ${d.state}${d.lastError ? ` (${d.lastError})` : ''}`,
          d.state === 'dead'
            ? h('button', {
                type: 'button',
                text: 'Send again',
                onclick: async () => {
                  await ctx.api(`/api/deliveries/${d.id}/resend`, { method: 'POST' });
                  ctx.announce(`Delivery ${d.id} sent again`);
                  reload();
                },
              })
            : null,
        ),
      );
    for (const t of a.timeline)
      inner.append(
        h(
          'li',
          {},
          h('span', { class: 'time', text: when(t.at) }),
          ` ${t.kind}${t.personId ? ` ${t.personId}` : ''}${t.detail ? `: ${t.detail}` : ''}`,
        ),
      );
    alert.append(inner);
    steps.append(alert);
  }
  if (!path.alerts.length) steps.append(h('li', { text: 'no alert raised' }));
  return h('div', { class: 'path' }, h('h3', { text: 'Path' }), steps);
}
