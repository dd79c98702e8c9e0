// The Rules tab: the rule files of config/rules edited as text, checked as you type by the same loader a
// reload uses (every problem with its line and key), a dry run and a replay of stored traffic against the
// draft, and a save that writes the text exactly as typed and reloads the running rules.

import { h } from '/dom.js';

const CHECK_AFTER_MS = 300;

export default {
  async mount(panel, ctx) {
    const state = { files: [], current: null, drafts: new Map(), timer: null, checkSeq: 0 };
    const list = h('ul', { class: 'file-list', 'aria-label': 'Rule files' });
    const editor = h('textarea', {
      id: 'rule-text',
      class: 'yaml',
      spellcheck: 'false',
      autocapitalize: 'off',
      'aria-describedby': 'rule-problems',
    });
    const title = h('h2', { id: 'rule-file-title', text: 'Rules' });
    const status = h('p', { id: 'rule-status', role: 'status', class: 'muted' });
    const problems = h('ul', {
      id: 'rule-problems',
      class: 'problems',
      'aria-label': 'Problems in the draft',
    });
    const save = h('button', { type: 'button', class: 'primary', text: 'Save and reload', disabled: true });
    const hours = h('input', {
      id: 'replay-hours',
      type: 'number',
      min: '0.1',
      max: '168',
      step: 'any',
      value: '1',
    });
    const replayButton = h('button', { type: 'button', text: 'Replay' });
    const replayOut = h('div', { id: 'replay-result', 'aria-live': 'polite' });
    const sample = h('textarea', {
      id: 'dry-run-message',
      class: 'yaml sample',
      rows: '6',
      spellcheck: 'false',
    });
    const sampleId = h('input', { id: 'dry-run-id', type: 'number', min: '1' });
    const dryButton = h('button', { type: 'button', text: 'Dry run against the draft' });
    const dryOut = h('div', { 'aria-live': 'polite' });

    panel.append(
      h(
        'div',
        { class: 'editor-wrap' },
        h('nav', { 'aria-label': 'Rule files' }, h('h2', { text: 'Files' }), list),
        h(
          'div',
          {},
          h('div', { class: 'editor-head' }, title, save),
          h('label', { for: 'rule-text', text: 'YAML (comments and order are kept as you write them)' }),
          editor,
          status,
          problems,
          h('h2', { text: 'Replay stored traffic through the draft' }),
          h(
            'div',
            { class: 'filters' },
            h('div', {}, h('label', { for: 'replay-hours', text: 'Last hours' }), hours),
            replayButton,
          ),
          replayOut,
          h('h2', { text: 'Dry run' }),
          h('label', { for: 'dry-run-message', text: 'Paste a message…' }),
          sample,
          h(
            'div',
            { class: 'filters' },
            h('div', {}, h('label', { for: 'dry-run-id', text: '…or a stored message id' }), sampleId),
            dryButton,
          ),
          dryOut,
        ),
      ),
    );

    const draft = () => [...state.drafts.entries()].map(([name, text]) => ({ name, text }));

    function renderList() {
      list.replaceChildren(
        ...state.files.map((f) =>
          h(
            'li',
            {},
            h('button', {
              type: 'button',
              'aria-current': f.name === state.current ? 'true' : 'false',
              text: `${f.name}${state.drafts.has(f.name) ? ' (edited)' : ''}`,
              onclick: () => openFile(f.name),
            }),
          ),
        ),
      );
    }

    function openFile(name) {
      state.current = name;
      const file = state.files.find((f) => f.name === name);
      editor.value = state.drafts.get(name) ?? file.text;
      title.textContent = `rules/${name}`;
      renderList();
      return check();
    }

    async function check() {
      const seq = ++state.checkSeq;
      const result = await ctx.api('/api/rules/check', { method: 'POST', body: { files: draft() } });
      if (seq !== state.checkSeq) return; // an older answer: a newer check is on its way
      problems.replaceChildren(
        ...result.problems.map((p) => {
          const text = `${p.file}${p.line ? ` line ${p.line}` : ''}: ${p.key || '(top level)'}: ${p.message}`;
          const own = p.line && p.file === `rules/${state.current}`;
          return h(
            'li',
            {},
            own
              ? h('button', { type: 'button', class: 'link', text, onclick: () => goToLine(p.line) })
              : text,
          );
        }),
      );
      const edited = state.drafts.size > 0;
      save.disabled = !result.ok || !state.drafts.has(state.current);
      status.textContent = result.ok
        ? `${edited ? 'Draft' : 'Rules'} valid: ${result.rules} rules.`
        : `${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in the draft.`;
      status.className = result.ok ? 'ok-note' : 'form-error';
    }

    /** Puts the caret on a line of the editor and scrolls it into view. */
    function goToLine(line) {
      const lines = editor.value.split('\n');
      const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
      editor.focus();
      editor.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
      const lineHeight = Number.parseFloat(getComputedStyle(editor).lineHeight) || 18;
      editor.scrollTop = Math.max(0, (line - 3) * lineHeight);
    }

    editor.addEventListener('input', () => {
      const file = state.files.find((f) => f.name === state.current);
      if (editor.value === file.text) state.drafts.delete(state.current);
      else state.drafts.set(state.current, editor.value);
      renderList();
      clearTimeout(state.timer);
      state.timer = setTimeout(check, CHECK_AFTER_MS);
    });

    save.addEventListener('click', async () => {
      const file = state.files.find((f) => f.name === state.current);
      try {
        const result = await ctx.api(`/api/rules/files/${encodeURIComponent(file.name)}`, {
          method: 'PUT',
          body: { text: editor.value, baseVersion: file.version },
        });
        state.drafts.delete(file.name);
        await load(file.name);
        status.className = result.reload.ok ? 'ok-note' : 'form-error';
        status.textContent = result.reload.ok
          ? `Saved rules/${file.name}; the rules in force are now version ${result.reload.version}.`
          : `Saved, but the reload was refused: ${result.reload.problems.map((p) => p.message).join('; ')}`;
        ctx.announce(status.textContent);
      } catch (error) {
        status.className = 'form-error';
        status.textContent = `Not saved: ${error.message}`;
      }
    });

    replayButton.addEventListener('click', async () => {
      replayOut.replaceChildren(h('p', { class: 'muted', text: 'Replaying…' }));
      try {
        const r = await ctx.api('/api/rules/replay', {
          method: 'POST',
          body: { files: draft(), hours: Number(hours.value) || 1 },
        });
        replayOut.replaceChildren(replayView(r));
        ctx.announce(`Replayed ${r.messages} messages: ${r.changed} would change`);
      } catch (error) {
        replayOut.replaceChildren(h('p', { class: 'form-error', text: error.message }));
      }
    });

    dryButton.addEventListener('click', async () => {
      const body = { draft: draft() };
      if (sample.value.trim()) body.message = sample.value;
      else if (sampleId.value) body.messageId = Number(sampleId.value);
      else
        return dryOut.replaceChildren(
          h('p', { class: 'form-error', text: 'Paste a message or give a stored message id.' }),
        );
      try {
        const r = await ctx.api('/api/rules/dry-run', { method: 'POST', body });
        dryOut.replaceChildren(
          h('p', { text: `Outcome: ${r.outcome}` }),
          h(
            'ul',
            {},
            ...r.matches.map((m) =>
              h('li', {
                text: `${m.ruleId}${m.filtered ? ' (filter)' : ''}: ${m.title} → ${m.recipients.map((x) => `${x.personId} (${x.reason})`).join(', ') || 'nobody'}`,
              }),
            ),
          ),
        );
      } catch (error) {
        dryOut.replaceChildren(h('p', { class: 'form-error', text: error.message }));
      }
    });

    async function load(keep) {
      const { files } = await ctx.api('/api/rules/files');
      state.files = files;
      if (files.length) await openFile(keep && files.some((f) => f.name === keep) ? keep : files[0].name);
      else renderList();
    }
    await load();
  },
};

function replayView(r) {
  const head = h('p', {
    text: `${r.messages} message${r.messages === 1 ? '' : 's'} replayed${r.truncated ? ' (the newest only: more were stored)' : ''}: ${r.changed} would change — ${r.appear} alert(s) would appear, ${r.vanish} vanish, ${r.redirect} go to someone else.`,
  });
  const rows = [];
  for (const item of r.items)
    for (const c of item.changes)
      rows.push(
        h(
          'tr',
          { class: `diff-${c.kind === 'appear' ? 'appear' : c.kind === 'vanish' ? 'vanish' : 'change'}` },
          h('td', { text: String(item.id) }),
          h('td', { text: item.type }),
          h('td', { text: item.mrn ?? '' }),
          h('td', { text: c.ruleId }),
          h('td', {
            text:
              c.kind === 'appear'
                ? 'would appear'
                : c.kind === 'vanish'
                  ? 'would vanish'
                  : 'other recipients',
          }),
          h('td', {
            text:
              c.kind === 'redirect'
                ? c.before.join(', ') || 'nobody'
                : c.kind === 'vanish'
                  ? c.recipients.join(', ')
                  : '',
          }),
          h('td', {
            text:
              c.kind === 'redirect'
                ? c.after.join(', ') || 'nobody'
                : c.kind === 'appear'
                  ? c.recipients.join(', ')
                  : '',
          }),
        ),
      );
  if (!rows.length) return h('div', {}, head);
  return h(
    'div',
    {},
    head,
    h(
      'table',
      { 'aria-label': 'Differences from the running rules' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Message', 'Type', 'MRN', 'Rule', 'Change', 'Now to', 'Draft to'].map((t) =>
            h('th', { scope: 'col', text: t }),
          ),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}
