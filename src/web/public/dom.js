// A small element builder. Text always goes in as text nodes (never innerHTML): an alert's title and body come
// from outside systems and must not be able to inject markup into a clinician's page.

/**
 * h('button', { class: 'primary', onclick: fn, disabled: true }, 'Accept')
 * Props: `class`, `text`, `dataset` (object), `on<event>` (listener), `false`/`null` values are left out,
 * anything else becomes an attribute (`true` → empty attribute).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false || child === '') continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces an element's content, keeping keyboard focus on the control with the same `data-focus-key`. */
export function replaceContent(container, ...children) {
  const active = document.activeElement;
  const focusKey = active && container.contains(active) ? active.dataset?.focusKey : undefined;
  container.replaceChildren(...children.flat().filter(Boolean));
  if (focusKey) {
    const again = container.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
    if (again && !again.disabled) again.focus();
  }
}
