// Signing in and the calls the page makes over plain HTTP (docs/websocket.md, "Signing in").
// The token lives in sessionStorage: it survives a reload of this tab but not closing it, and is never
// shared with another tab or left on a shared ward phone after the browser is closed.

const STORAGE_KEY = 'switchboard.session';

/** A problem+json answer (RFC 9457) turned into an Error whose message a person can read. */
async function failure(response, fallback) {
  let detail = '';
  try {
    const problem = await response.json();
    detail = problem.detail || problem.title || '';
  } catch {
    // Not JSON: the status line says enough.
  }
  const error = new Error(detail || `${fallback} (HTTP ${response.status})`);
  error.status = response.status;
  return error;
}

/** POST /api/session. Resolves `{ token, expiresAt, person }`; rejects with a message to show. */
export async function signIn(username, password, fetchImpl = fetch) {
  let response;
  try {
    response = await fetchImpl('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    throw new Error('Switchboard cannot be reached. Check the network and try again.');
  }
  if (response.status === 401) throw new Error('Username or password not recognised.');
  if (!response.ok) throw await failure(response, 'Sign-in failed');
  const session = await response.json();
  if (!session?.token) throw new Error('Sign-in failed: the server sent no token.');
  return session;
}

export function saveSession(session, storage = sessionStorage) {
  storage.setItem(STORAGE_KEY, JSON.stringify(session));
}

/** The session kept in this tab, unless it has expired. */
export function savedSession(storage = sessionStorage, nowMs = Date.now()) {
  try {
    const session = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null');
    if (!session?.token) return null;
    if (session.expiresAt && Date.parse(session.expiresAt) <= nowMs) {
      storage.removeItem(STORAGE_KEY);
      return null;
    }
    return session;
  } catch {
    return null;
  }
}

export function forgetSession(storage = sessionStorage) {
  storage.removeItem(STORAGE_KEY);
}

/**
 * GET /api/alerts/:id with the bearer token: the alert and its timeline. The timeline is read wherever the
 * server puts it (`timeline` beside or inside `alert`) so the page survives small shape changes.
 */
export async function fetchAlertTimeline(id, token, fetchImpl = fetch) {
  const response = await fetchImpl(`/api/alerts/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
  if (!response.ok) throw await failure(response, 'Timeline not available');
  const body = await response.json();
  const events = body.timeline ?? body.alert?.timeline ?? body.events ?? [];
  return Array.isArray(events) ? events : [];
}

/**
 * Whether the token is still accepted. A browser cannot see why a WebSocket handshake failed (an HTTP 401 and
 * a dead network both look like close code 1006), so while reconnecting the page asks a plain endpoint.
 * Answers false only on a definite 401; a network failure is not proof of anything.
 */
export async function tokenStillAccepted(token, fetchImpl = fetch) {
  try {
    const response = await fetchImpl('/api/alerts?limit=1', {
      headers: { authorization: `Bearer ${token}` },
    });
    return response.status !== 401;
  } catch {
    return true;
  }
}

/**
 * POST /api/sign-out: ends the session on the server too, so the token is worthless even if a copy was
 * left behind (a shared ward phone). Never throws: the page forgets the session whatever the answer.
 */
export async function signOut(token, fetchImpl = fetch) {
  try {
    const response = await fetchImpl('/api/sign-out', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * The session single sign-on hands over in the URL fragment (`#sso=<base64url JSON>`, see
 * docs/sign-in.md): null when there is none or it cannot be read.
 */
export function sessionFromFragment(hash) {
  const match = /^#sso=([A-Za-z0-9_-]+)(?:&patient=([^&]*))?$/.exec(hash ?? '');
  if (!match) return null;
  try {
    const b64 = match[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const session = JSON.parse(new TextDecoder().decode(bytes));
    // Opened from the EHR with its current patient: the page starts a message about them.
    if (session && match[2]) session.launchPatient = decodeURIComponent(match[2]);
    return session?.token ? session : null;
  } catch {
    return null;
  }
}

/** GET /api/sign-in/options: which ways of signing in this site offers (local passwords, OIDC, SAML). */
export async function signInOptions(fetchImpl = fetch) {
  try {
    const response = await fetchImpl('/api/sign-in/options');
    if (response.ok) return await response.json();
  } catch {
    // Offline: offer the password form, which says so when used.
  }
  return { local: true, oidc: false, saml: false };
}

/** The platform the EHR's links are for: an iPhone/iPad app scheme, an Android one, or the web. */
export function devicePlatform(userAgent = navigator.userAgent) {
  if (/iPhone|iPad|iPod/.test(userAgent)) return 'ios';
  if (/Android/.test(userAgent)) return 'android';
  return 'web';
}

/** GET /api/patients/:mrn/ehr-links, keeping the links for this device; [] when there are none or on error. */
export async function fetchEhrLinks(mrn, token, fetchImpl = fetch, platform = devicePlatform()) {
  try {
    const response = await fetchImpl(`/api/patients/${encodeURIComponent(mrn)}/ehr-links`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!response.ok) return [];
    const { links } = await response.json();
    return (links ?? []).filter((l) => l.platforms.includes(platform));
  } catch {
    return [];
  }
}
