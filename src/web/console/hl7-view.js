// The raw message and its parsed tree, as the analyst must see them: every delimiter and escape sequence
// shown as it was received (never unescaped, never re-encoded), and the tree split by the message's own
// delimiters (MSH-1 and MSH-2), with field names, repetitions and components.

import { h } from '/dom.js';
import { fieldName } from './field-names.js';

/** The MSH delimiters of a raw message; HL7's defaults when it has none. */
export function delimitersOf(raw) {
  if (!raw.startsWith('MSH') || raw.length < 8)
    return { field: '|', component: '^', repetition: '~', escape: '\\', sub: '&' };
  return { field: raw[3], component: raw[4], repetition: raw[5], escape: raw[6], sub: raw[7] };
}

/**
 * The raw text with delimiters and escape sequences marked: one line per segment, segment breaks shown
 * as ⏎ (CR) or ↵ (LF), any other control character as its code, so nothing is hidden.
 */
export function rawView(raw) {
  const d = delimitersOf(raw);
  const delims = new Set([d.field, d.component, d.repetition, d.sub]);
  const pre = h('pre', { class: 'raw', tabindex: '0', 'aria-label': 'Raw message' });
  let plain = '';
  const flush = () => {
    if (plain) pre.append(plain);
    plain = '';
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    // The escape character starts a sequence that runs to the next escape character (\T\, \X0D\ …).
    if (c === d.escape && !(raw.startsWith('MSH') && i === 6)) {
      const end = raw.indexOf(d.escape, i + 1);
      if (end > i && end - i < 40) {
        flush();
        pre.append(h('span', { class: 'esc', title: 'escape sequence', text: raw.slice(i, end + 1) }));
        i = end;
        continue;
      }
    }
    if (c === '\r' || c === '\n') {
      flush();
      pre.append(
        h('span', { class: 'delim', title: c === '\r' ? 'CR' : 'LF', text: c === '\r' ? '⏎' : '↵' }),
        '\n',
      );
      if (c === '\r' && raw[i + 1] === '\n') {
        pre.append(h('span', { class: 'delim', title: 'LF', text: '↵' }));
        i++;
      }
      continue;
    }
    if (delims.has(c)) {
      flush();
      pre.append(h('span', { class: 'delim', text: c }));
      continue;
    }
    const code = c.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) {
      flush();
      pre.append(
        h('span', {
          class: 'esc',
          title: 'control character',
          text: `<${code.toString(16).padStart(2, '0')}>`,
        }),
      );
      continue;
    }
    plain += c;
  }
  flush();
  return pre;
}

/** The parsed tree from the API's segments ({ name, fields }), as nested disclosure widgets. */
export function treeView(view, raw) {
  const d = delimitersOf(raw);
  const counts = new Map();
  const root = h('div', { class: 'tree', role: 'group', 'aria-label': 'Parsed message' });
  for (const segment of view?.segments ?? []) {
    const n = (counts.get(segment.name) ?? 0) + 1;
    counts.set(segment.name, n);
    const seg = h(
      'details',
      { open: segment.name !== 'MSH' },
      h('summary', { text: `${segment.name}${n > 1 ? ` [${n}]` : ''}` }),
    );
    segment.fields.forEach((value, i) => {
      if (i === 0 || value === null) return;
      const label = `${segment.name}-${i}`;
      const name = fieldName(segment.name, i);
      const heading = [
        h('b', { text: label }),
        name ? h('span', { class: 'name', text: ` ${name}` }) : null,
        ': ',
      ];
      const isMshDelims = segment.name === 'MSH' && i <= 2;
      const reps = isMshDelims ? [value] : value.split(d.repetition);
      const compound = !isMshDelims && (reps.length > 1 || value.includes(d.component));
      if (!compound) {
        seg.append(h('div', {}, ...heading, value));
        return;
      }
      const field = h('details', {}, h('summary', {}, ...heading, value));
      reps.forEach((rep, r) => {
        const parts = rep.split(d.component);
        const repBox =
          reps.length > 1
            ? h('div', {}, h('span', { class: 'name', text: `repetition ${r + 1}: ` }), rep)
            : null;
        if (repBox) field.append(repBox);
        if (parts.length > 1)
          parts.forEach((p, c) => {
            if (p !== '')
              field.append(
                h(
                  'div',
                  { class: 'comp' },
                  h('span', {
                    class: 'name',
                    text: `${label}${reps.length > 1 ? `(${r + 1})` : ''}.${c + 1} `,
                  }),
                  p,
                ),
              );
          });
      });
      seg.append(field);
    });
    root.append(seg);
  }
  return root;
}
