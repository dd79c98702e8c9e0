// The analyst console: sign in, then one panel per tab. No build step: plain ES modules served as files.
//
// How a tab plugs in
// ------------------
// A tab is a module beside this file (e.g. `dashboard.js`, `oncall.js`) listed in TABS below. Its default
// export is an object:
//
//   export default {
//     /** Called once, the first time the tab is opened. `panel` is an empty <section> that is the tab's. */
//     mount(panel, ctx) { ... },
//     /** Optional: called every time the tab is shown again (refresh figures, restart timers). */
//     show(panel, ctx) { ... },
//     /** Optional: called when another tab is shown (stop polling). */
//     hide(panel, ctx) { ... },
//   };
//
// `ctx` is the console's context:
//   ctx.api(path, init?)  fetch with the session's bearer token; resolves the parsed JSON (or text for
//                         non-JSON answers), rejects with an Error whose message a person can read (the
//                         problem JSON's detail) and whose `.status` is the HTTP status. A 401 signs out.
//   ctx.session           { token, role, person, username }
//   ctx.announce(text)    says `text` to screen readers (polite live region).
//   ctx.open(tabId, arg)  switches to another tab; `arg` goes to its `show(panel, ctx, arg)`.
//   ctx.h(tag, props, ...children)  the element builder from /dom.js (text always as text nodes).
//
// A tab listed here whose module is missing shows "not available yet" instead of failing the console.
// The URL hash is the open tab (`#messages`, `#rules`), so a reload or a shared link lands on the same tab.

// The clinician page's element builder, served at /dom.js: one copy for both pages.
import { h } from '/dom.js';

export const TABS = [
  { id: 'messages', label: 'Messages', module: './messages.js' },
  { id: 'rules', label: 'Rules', module: './rules.js' },
  { id: 'dashboard', label: 'Dashboard', module: './dashboard.js' },
  { id: 'oncall', label: 'On call', module: './oncall.js' },
];

const STORAGE_KEY = 'switchboard.console';
const STAFF = ['analyst', 'admin'];
const $ = (id) => document.getElementById(id);

let session = null;
const mounted = new Map();
let current = null;

function announce(text) {
  const el = $('announcer');
  el.textContent = '';
  // A fresh text node after a tick so the same words twice are still read.
  setTimeout(() => {
    el.textContent = text;
  }, 30);
}

async function problemMessage(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

async function api(path, init = {}) {
  const headers = { accept: 'application/json', ...(init.headers ?? {}) };
  if (session) headers.authorization = `Bearer ${session.token}`;
  let body = init.body;
  if (body !== undefined && typeof body !== 'string') {
    body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(path, { ...init, headers, body });
  if (response.status === 401 && session) {
    signOut();
    throw Object.assign(new Error('Your session ended: sign in again.'), { status: 401 });
  }
  if (!response.ok) {
    const error = new Error(await problemMessage(response));
    error.status = response.status;
    throw error;
  }
  const type = response.headers.get('content-type') ?? '';
  return type.includes('json') ? response.json() : response.text();
}

const ctx = {
  api,
  announce,
  h,
  open: (id, arg) => openTab(id, arg),
  get session() {
    return session;
  },
};

function buildTabs() {
  const list = $('tabs');
  const panels = $('panels');
  list.replaceChildren();
  panels.replaceChildren();
  for (const tab of TABS) {
    list.append(
      h('button', {
        type: 'button',
        role: 'tab',
        id: `tab-${tab.id}`,
        'aria-controls': `panel-${tab.id}`,
        'aria-selected': 'false',
        tabindex: '-1',
        text: tab.label,
        onclick: () => openTab(tab.id),
        onkeydown: (event) => moveAlongTabs(event, tab.id),
      }),
    );
    panels.append(
      h('section', {
        role: 'tabpanel',
        id: `panel-${tab.id}`,
        'aria-labelledby': `tab-${tab.id}`,
        class: 'panel',
        hidden: true,
      }),
    );
  }
}

/** WAI-ARIA tabs pattern: arrows, Home and End move between tabs and open them. */
function moveAlongTabs(event, id) {
  const i = TABS.findIndex((t) => t.id === id);
  const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[event.key];
  if (to === undefined) return;
  event.preventDefault();
  const tab = TABS[(to + TABS.length) % TABS.length];
  openTab(tab.id);
  $(`tab-${tab.id}`).focus();
}

async function openTab(id, arg) {
  const tab = TABS.find((t) => t.id === id) ?? TABS[0];
  if (current && current.id !== tab.id) {
    const was = mounted.get(current.id);
    was?.hide?.($(`panel-${current.id}`), ctx);
  }
  current = tab;
  if (location.hash !== `#${tab.id}`) history.replaceState(null, '', `#${tab.id}`);
  for (const t of TABS) {
    const selected = t.id === tab.id;
    const button = $(`tab-${t.id}`);
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`panel-${t.id}`).hidden = !selected;
  }
  const panel = $(`panel-${tab.id}`);
  let module = mounted.get(tab.id);
  if (!module) {
    try {
      module = (await import(tab.module)).default;
    } catch {
      panel.replaceChildren(h('p', { class: 'muted', text: `${tab.label} is not available yet.` }));
      return;
    }
    mounted.set(tab.id, module);
    await module.mount(panel, ctx);
  }
  await module.show?.(panel, ctx, arg);
}

function showSignIn() {
  $('bar').hidden = true;
  $('panels').hidden = true;
  $('not-for-you').hidden = true;
  $('sign-in').hidden = false;
  $('username').focus();
}

function showConsole() {
  $('sign-in').hidden = true;
  if (!STAFF.includes(session.role)) {
    $('not-for-you').hidden = false;
    return;
  }
  $('bar').hidden = false;
  $('panels').hidden = false;
  $('who').textContent = `${session.username ?? ''} (${session.role})`;
  buildTabs();
  mounted.clear();
  current = null;
  openTab(location.hash.slice(1) || TABS[0].id);
}

function signOut() {
  if (session)
    fetch('/api/sign-out', { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
  session = null;
  sessionStorage.removeItem(STORAGE_KEY);
  showSignIn();
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = $('username').value.trim();
  const password = $('password').value;
  const error = $('sign-in-error');
  error.textContent = '';
  try {
    const response = await fetch('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) {
      error.textContent =
        response.status === 401 ? 'Username or password not recognised.' : await problemMessage(response);
      return;
    }
    session = { ...(await response.json()), username };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    $('password').value = '';
    showConsole();
  } catch {
    error.textContent = 'Switchboard cannot be reached.';
  }
});
$('sign-out').addEventListener('click', signOut);
$('not-for-you-out').addEventListener('click', signOut);
window.addEventListener('hashchange', () => {
  if (session && STAFF.includes(session.role)) openTab(location.hash.slice(1));
});

try {
  session = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
  if (session?.expiresAt && Date.parse(session.expiresAt) <= Date.now()) session = null;
} catch {
  session = null;
}
if (session?.token) showConsole();
else showSignIn();
