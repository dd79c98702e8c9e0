// The clinician page: sign in, keep the alert socket open, show the list and the detail, send answers.
// Protocol: docs/websocket.md. The server decides every state; this page shows what it last said.

import { AlertBook } from './alert-book.js';
import { renderAlertDetail } from './alert-detail.js';
import { renderAlertList } from './alert-list.js';
import { AlertSocket, CLOSE_NOT_A_RECIPIENT, socketUrl } from './alert-socket.js';
import { showConnection, wireSoundControls } from './app-bar.js';
import { isUnseen, personName, priorityLabel, stateLabel } from './format.js';
import { MessagesView } from './messages.js';
import {
  fetchAlertTimeline,
  fetchEhrLinks,
  forgetSession,
  savedSession,
  saveSession,
  sessionFromFragment,
  signIn,
  signInOptions,
  signOut,
  tokenStillAccepted,
} from './session.js';
import { AlertTones } from './tones.js';

const $ = (id) => document.getElementById(id);
/** After a reconnect, alerts the server has not replayed within this time were closed while we were away. */
const REPLAY_SETTLE_MS = 5000;

const ui = {
  bar: $('app-bar'),
  connection: $('connection'),
  soundOn: $('sound-on'),
  mute: $('mute'),
  signOut: $('sign-out'),
  signInSection: $('sign-in'),
  signInForm: $('sign-in-form'),
  signInError: $('sign-in-error'),
  signInButton: $('sign-in-button'),
  alertsSection: $('alerts'),
  who: $('who'),
  empty: $('empty'),
  list: $('alert-list'),
  detail: $('detail'),
  announcer: $('announcer'),
  messagesButton: $('messages-button'),
  messages: $('messages'),
};

const book = new AlertBook();
const messages = new MessagesView({ section: ui.messages, button: ui.messagesButton, announce });
const tones = new AlertTones();
const renderSound = wireSoundControls({
  tones,
  mute: ui.mute,
  soundOn: ui.soundOn,
  soundState: $('sound-state'),
});

let session = null;
let socket = null;
let connected = false;
let serverSkewMs = 0;
/** The signed-in person's id as the server's `welcome` gives it. */
let me = null;
let openId = null;
/** Per alert: the answer on its way (`pendingAction`), or the last result to show. */
const answers = new Map();
/** ref → alert id, for matching `ok` / `error` frames to the answer they belong to. */
const refs = new Map();
const timelines = new Map();
const closedReasons = new Map();
/** Frames already sent on this connection, so a replay does not resend them. */
let sentThisConnection = new Set();
let unconfirmed = new Set();
let settleTimer = null;
let refSeq = 0;
/** Every alert id this page has shown since sign-in: one that comes back (a slow replay) does not ring again. */
const everSeen = new Set();

const nowMs = () => Date.now() + serverSkewMs;

const SESSION_ENDED = 'Your session has ended. Please sign in again.';
const NOT_A_RECIPIENT = 'This account does not receive alerts. Sign in with a clinician account.';
let checkingSession = false;

/** While reconnecting: a refused token ends the session instead of retrying forever. */
async function checkStillSignedIn() {
  const s = session;
  if (!s || checkingSession) return;
  if (s.expiresAt && Date.parse(s.expiresAt) <= Date.now()) {
    endSession(SESSION_ENDED);
    return;
  }
  checkingSession = true;
  try {
    if (!(await tokenStillAccepted(s.token)) && session === s) endSession(SESSION_ENDED);
  } finally {
    checkingSession = false;
  }
}

// ---- rendering ------------------------------------------------------------------------------------------

function render() {
  const alerts = book.list();
  renderAlertList(ui.list, alerts, { nowMs: nowMs(), onOpen: openAlert, selectedId: openId });
  ui.empty.hidden = alerts.length > 0;
  const unseen = alerts.filter(isUnseen);
  document.title = unseen.length ? `(${unseen.length}) Switchboard alerts` : 'Switchboard alerts';
  tones.ring(unseen.some((a) => a.priority === 'urgent'));
  if (openId !== null) renderDetail();
}

function renderDetail() {
  renderAlertDetail(ui.detail, {
    alert: book.get(openId) ?? closedReasons.get(openId)?.alert,
    closedReason: closedReasons.get(openId)?.reason,
    answer: answers.get(openId),
    connected,
    timeline: timelines.get(openId),
    ehrLinks: ehrLinksFor(book.get(openId)?.patient?.mrn),
    nowMs: nowMs(),
    onAnswer: (action, choice) => answer(openId, action, choice),
    onBack: () => history.back(),
    onRetryTimeline: () => loadTimeline(openId),
  });
}

/** Screen readers read the live region when its text changes; clearing first repeats identical news. */
function announce(text) {
  ui.announcer.textContent = '';
  requestAnimationFrame(() => {
    ui.announcer.textContent = text;
  });
}

// ---- the socket -----------------------------------------------------------------------------------------

/** Sends a `delivered` or `read` receipt once per connection (a replay does not resend it). */
function sendReceipt(type, alertId) {
  const key = `${type}:${alertId}`;
  if (sentThisConnection.has(key)) return;
  if (socket?.send({ type, alertId })) {
    sentThisConnection.add(key);
    book.noteReceipt(alertId, type, me ?? session?.person?.id);
  }
}

function onStatus(status) {
  const wasConnected = connected;
  connected = status.state === 'connected';
  showConnection(ui.connection, status);
  if (wasConnected && !connected) {
    // An answer sent just before the drop may or may not have landed: say so instead of guessing.
    for (const [ref, alertId] of refs) {
      answers.set(alertId, {
        error:
          'The connection dropped before Switchboard confirmed your answer. Check the state, then try again.',
      });
      refs.delete(ref);
    }
  }
  if (status.state === 'signed-out') {
    endSession(status.code === CLOSE_NOT_A_RECIPIENT ? NOT_A_RECIPIENT : SESSION_ENDED);
    return;
  }
  if (status.state === 'reconnecting') checkStillSignedIn();
  if (openId !== null) renderDetail();
}

function onFrame(frame) {
  switch (frame.type) {
    case 'welcome':
      if (frame.serverTime) serverSkewMs = Date.parse(frame.serverTime) - Date.now() || 0;
      me = frame.person?.id ?? me;
      sentThisConnection = new Set();
      unconfirmed = new Set(book.list().map((a) => String(a.id)));
      clearTimeout(settleTimer);
      settleTimer = setTimeout(dropUnconfirmed, REPLAY_SETTLE_MS);
      render();
      return;
    case 'alert':
      if (frame.alert) receiveAlert(frame.alert);
      return;
    case 'removed':
      removeAlert(frame.alertId, frame.reason);
      return;
    case 'ok':
      answered(frame);
      return;
    case 'error':
      refused(frame);
      return;
    case 'message':
      messages.receive(frame);
      return;
    case 'receipt':
      messages.receipt(frame);
      return;
    default:
      return; // A newer server may send frames this page does not know yet.
  }
}

function receiveAlert(alert) {
  const id = String(alert.id);
  unconfirmed.delete(id);
  closedReasons.delete(id);
  const before = book.get(id);
  const change = book.put(alert);
  if (alert.myState === 'queued') sendReceipt('delivered', alert.id);
  const firstSight = !everSeen.has(id);
  everSeen.add(id);
  if (change === 'new' && firstSight && isUnseen(alert)) {
    tones.play(alert.priority);
    // Chrome refuses (and logs) vibration before the first tap on the page, e.g. right after a reload.
    if (alert.priority === 'urgent' && navigator.userActivation?.hasBeenActive !== false)
      navigator.vibrate?.([200, 100, 200, 100, 200]);
    announce(`New ${priorityLabel(alert.priority).toLowerCase()} alert: ${alert.title}. ${alert.body ?? ''}`);
  } else if (change === 'changed' && before?.status === 'open' && alert.status !== 'open') {
    const by = alert.acknowledgedBy ? ` by ${personName(alert, alert.acknowledgedBy)}` : '';
    announce(`${alert.title}: ${stateLabel(alert.status).toLowerCase()}${by}.`);
  }
  if (id === openId) {
    if (isUnseen(alert) && document.visibilityState === 'visible') sendReceipt('read', alert.id);
    if (change === 'changed') loadTimeline(id);
  }
  render();
}

function removeAlert(alertId, reason) {
  const id = String(alertId);
  const alert = book.remove(id);
  if (alert && id === openId) closedReasons.set(id, { alert, reason: reason || 'no longer needs you' });
  if (alert) announce(`${alert.title}: closed.`);
  render();
}

function dropUnconfirmed() {
  for (const id of unconfirmed) removeAlert(id, 'closed while you were offline');
  unconfirmed = new Set();
}

function answered(frame) {
  const alertId = refs.get(frame.ref);
  refs.delete(frame.ref);
  if (frame.alert) book.put(frame.alert);
  const id = String(frame.alert?.id ?? alertId ?? '');
  if (!id) return;
  const mine = frame.alert?.myState;
  answers.set(id, { message: mine ? `Recorded. Your state: ${stateLabel(mine)}.` : 'Recorded.' });
  announce(mine ? `Your answer is recorded: ${stateLabel(mine)}.` : 'Your answer is recorded.');
  if (id === openId) loadTimeline(id);
  render();
}

function refused(frame) {
  const alertId = frame.ref ? refs.get(frame.ref) : undefined;
  if (frame.ref) refs.delete(frame.ref);
  const message = `Not recorded: ${frame.message || frame.code || 'refused by Switchboard'}`;
  if (alertId) answers.set(alertId, { error: message });
  announce(message);
  render();
}

function answer(alertId, action, choice) {
  const ref = `r${++refSeq}`;
  const frame = { type: action, alertId: book.get(alertId)?.id ?? alertId, ref };
  if (action === 'reply') frame.choice = choice;
  if (!socket?.send(frame)) {
    answers.set(alertId, { error: 'Not connected; your answer was not sent.' });
  } else {
    refs.set(ref, alertId);
    answers.set(alertId, { pendingAction: action === 'reply' ? choice : action });
  }
  renderDetail();
}

// ---- the detail view --------------------------------------------------------------------------------------

/** EHR links per MRN, fetched once per sign-in; `undefined` until they arrive. */
const linksByMrn = new Map();

function ehrLinksFor(mrn) {
  if (!mrn || !session) return [];
  if (!linksByMrn.has(mrn)) {
    linksByMrn.set(mrn, []);
    void fetchEhrLinks(mrn, session.token).then((links) => {
      linksByMrn.set(mrn, links);
      if (openId !== null) renderDetail();
    });
  }
  return linksByMrn.get(mrn);
}

async function loadTimeline(id) {
  if (!session) return;
  if (!timelines.has(id)) timelines.set(id, { state: 'loading', events: [] });
  try {
    const events = await fetchAlertTimeline(id, session.token);
    timelines.set(id, { state: 'ready', events });
  } catch (err) {
    timelines.set(id, { state: 'error', events: [], message: err.message });
  }
  if (id === openId) renderDetail();
}

function openAlert(id) {
  location.hash = `#alert-${id}`;
}

/** The hash is the view (`#alert-42` = that alert's detail), so the phone's back button closes the detail. */
function showRoute() {
  const conversation = /^#(messages|compose|conversation-\d+)$/.exec(location.hash);
  if (conversation && session) {
    messages.show(conversation[1]);
    openId = null;
    ui.alertsSection.hidden = true;
    ui.detail.hidden = true;
    document.body.classList.remove('showing-detail');
    return;
  }
  messages.show(null);
  ui.alertsSection.hidden = !session;
  const match = /^#alert-(.+)$/.exec(location.hash);
  const id = match && session ? decodeURIComponent(match[1]) : null;
  const wasOpen = openId;
  openId = id;
  ui.detail.hidden = id === null;
  document.body.classList.toggle('showing-detail', id !== null);
  if (id === null) {
    closedReasons.clear();
    render();
    if (wasOpen !== null) ui.list.querySelector(`li[data-id="${CSS.escape(wasOpen)}"] button`)?.focus();
    return;
  }
  const alert = book.get(id);
  if (alert && isUnseen(alert)) sendReceipt('read', alert.id);
  timelines.delete(id);
  loadTimeline(id);
  render();
  ui.detail.querySelector('#detail-title')?.focus();
}

// ---- session ----------------------------------------------------------------------------------------------

function startSession(s) {
  session = s;
  ui.signInSection.hidden = true;
  ui.bar.hidden = false;
  ui.alertsSection.hidden = false;
  ui.who.textContent = s.person?.name ? `Signed in as ${s.person.name}` : '';
  renderSound();
  socket = new AlertSocket({
    url: socketUrl(location, s.token),
    WebSocket,
    onFrame,
    onStatus,
  });
  socket.start();
  messages.start(s, (frame) => socket?.send(frame) ?? false);
  showRoute();
}

function endSession(message) {
  messages.stop();
  socket?.stop();
  socket = null;
  session = null;
  connected = false;
  forgetSession();
  book.clear();
  answers.clear();
  refs.clear();
  timelines.clear();
  closedReasons.clear();
  everSeen.clear();
  linksByMrn.clear();
  clearTimeout(settleTimer);
  tones.ring(false);
  renderAlertList(ui.list, [], { nowMs: nowMs(), onOpen: openAlert, selectedId: null });
  ui.bar.hidden = true;
  ui.alertsSection.hidden = true;
  ui.detail.hidden = true;
  document.body.classList.remove('showing-detail');
  ui.signInSection.hidden = false;
  ui.signInError.textContent = message ?? '';
  document.title = 'Switchboard alerts';
  if (location.hash) history.replaceState(null, '', location.pathname);
  openId = null;
  $('username').focus();
}

ui.signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (ui.signInButton.getAttribute('aria-disabled') === 'true') return; // already signing in
  // Inside the click: browsers only let a page start audio from a user gesture.
  const unlocking = tones.unlock();
  const username = $('username').value.trim();
  const password = $('password').value;
  if (!username || !password) {
    ui.signInError.textContent = 'Enter your username and password.';
    return;
  }
  ui.signInError.textContent = '';
  ui.signInButton.setAttribute('aria-disabled', 'true');
  ui.signInButton.textContent = 'Signing in…';
  try {
    const s = await signIn(username, password);
    saveSession(s);
    $('password').value = '';
    await unlocking;
    startSession(s);
  } catch (err) {
    ui.signInError.textContent = err.message;
  } finally {
    ui.signInButton.removeAttribute('aria-disabled');
    ui.signInButton.textContent = 'Sign in';
  }
});

ui.signOut.addEventListener('click', () => {
  const token = session?.token;
  endSession('You have signed out.');
  if (token) void signOut(token);
});

ui.messagesButton.addEventListener('click', () => {
  location.hash = /^#(messages|compose|conversation-)/.test(location.hash) ? '' : '#messages';
});

window.addEventListener('hashchange', showRoute);
window.addEventListener('online', () => socket?.reconnectNow());
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible') return;
  socket?.reconnectNow();
  const alert = openId !== null ? book.get(openId) : undefined;
  if (alert && isUnseen(alert)) sendReceipt('read', alert.id);
  render();
});
// "4 min ago" has to keep counting while the phone sits on the desk.
setInterval(() => {
  if (session) render();
}, 30_000);

// Single sign-on comes back with the session in the fragment: keep it, and take it out of the address bar.
const handedOver = sessionFromFragment(location.hash);
const launchPatient = handedOver?.launchPatient;
if (handedOver) {
  delete handedOver.launchPatient;
  saveSession(handedOver);
  history.replaceState(null, '', location.pathname);
}
void signInOptions().then((options) => {
  $('sso-oidc').hidden = !options.oidc;
  $('sso-saml').hidden = !options.saml;
  $('sso-links').hidden = !options.oidc && !options.saml;
  ui.signInForm.hidden = !options.local;
});

const restored = savedSession();
if (restored) {
  startSession(restored);
  if (launchPatient) void messages.composeAbout(launchPatient);
} else endSession();
