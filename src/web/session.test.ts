import { describe, expect, it } from 'vitest';
import {
  devicePlatform,
  fetchAlertTimeline,
  fetchEhrLinks,
  forgetSession,
  savedSession,
  saveSession,
  signIn,
  signOut,
  tokenStillAccepted,
} from './public/session.js';

class MemoryStorage {
  private items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('signIn', () => {
  it('posts the credentials as JSON and resolves the session', async () => {
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const session = await signIn('dr.ahmed', 'pw', async (url, init) => {
      calls.push({ url, init });
      return json(200, {
        token: 't1',
        expiresAt: '2026-11-22T10:00:00Z',
        person: { id: 'p-ahmed', name: 'A' },
      });
    });
    expect(session.token).toBe('t1');
    expect(calls[0].url).toBe('/api/session');
    expect(calls[0].init?.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init?.body))).toEqual({ username: 'dr.ahmed', password: 'pw' });
  });

  it('says plainly when the password is wrong, when the server fails, and when it cannot be reached', async () => {
    await expect(signIn('a', 'b', async () => json(401, { title: 'Unauthorized' }))).rejects.toThrow(
      'Username or password not recognised.',
    );
    await expect(
      signIn('a', 'b', async () => json(503, { title: 'Unavailable', detail: 'store is down' })),
    ).rejects.toThrow('store is down');
    await expect(
      signIn('a', 'b', async () => {
        throw new TypeError('fetch failed');
      }),
    ).rejects.toThrow(/cannot be reached/);
    await expect(signIn('a', 'b', async () => json(200, {}))).rejects.toThrow(/no token/);
  });
});

describe('the saved session', () => {
  it('survives until it expires, then is forgotten', () => {
    const storage = new MemoryStorage();
    saveSession({ token: 't1', expiresAt: '2026-11-22T10:00:00Z' }, storage);
    expect(savedSession(storage, Date.parse('2026-11-22T09:59:00Z'))?.token).toBe('t1');
    expect(savedSession(storage, Date.parse('2026-11-22T10:00:00Z'))).toBeNull();
    expect(storage.getItem('switchboard.session')).toBeNull();
  });

  it('is gone after sign-out and ignores a damaged entry', () => {
    const storage = new MemoryStorage();
    saveSession({ token: 't1' }, storage);
    forgetSession(storage);
    expect(savedSession(storage)).toBeNull();
    storage.setItem('switchboard.session', '{not json');
    expect(savedSession(storage)).toBeNull();
  });
});

describe('fetchAlertTimeline', () => {
  const events = [{ at: '2026-11-22T02:30:00Z', kind: 'received', personId: null, detail: 'ORU^R01' }];

  it('sends the bearer token and reads the timeline beside or inside the alert', async () => {
    let auth = '';
    const got = await fetchAlertTimeline(42, 'tok', async (url, init) => {
      expect(url).toBe('/api/alerts/42');
      auth = new Headers(init?.headers).get('authorization') ?? '';
      return json(200, { alert: { id: 42 }, timeline: events });
    });
    expect(auth).toBe('Bearer tok');
    expect(got).toEqual(events);
    expect(
      await fetchAlertTimeline(42, 'tok', async () => json(200, { alert: { id: 42, timeline: events } })),
    ).toEqual(events);
  });

  it('rejects with the problem detail when the server refuses', async () => {
    await expect(
      fetchAlertTimeline(42, 'tok', async () => json(403, { title: 'Forbidden', detail: 'not your alert' })),
    ).rejects.toThrow('not your alert');
  });
});

describe('tokenStillAccepted', () => {
  it('is false only on a definite 401, never on a network failure', async () => {
    expect(await tokenStillAccepted('t', async () => json(401, { title: 'Sign in required' }))).toBe(false);
    expect(await tokenStillAccepted('t', async () => json(200, { items: [] }))).toBe(true);
    expect(await tokenStillAccepted('t', async () => json(503, {}))).toBe(true);
    expect(
      await tokenStillAccepted('t', async () => {
        throw new TypeError('offline');
      }),
    ).toBe(true);
  });
});

describe('signOut', () => {
  it('posts to /api/sign-out with the bearer token, and never throws', async () => {
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    expect(
      await signOut('t1', async (url, init) => {
        calls.push({ url, init });
        return json(200, { signedOut: true });
      }),
    ).toBe(true);
    expect(calls[0].url).toBe('/api/sign-out');
    expect(calls[0].init?.method).toBe('POST');
    expect(new Headers(calls[0].init?.headers).get('authorization')).toBe('Bearer t1');
    expect(
      await signOut('t1', async () => {
        throw new TypeError('offline');
      }),
    ).toBe(false);
  });
});

describe('EHR links', () => {
  it('keeps the links for this device, and shows none when the server has none or fails', async () => {
    const links = [
      { label: 'Open in Haiku', url: 'epichaiku://open?patient=E1', platforms: ['ios'] },
      { label: 'Open chart', url: 'https://ehr.example.org/chart?pat=E1', platforms: ['web', 'android'] },
    ];
    const asked: string[] = [];
    const ok = async (url: string) => {
      asked.push(url);
      return json(200, { links });
    };
    expect((await fetchEhrLinks('MRN 7', 't', ok, 'ios')).map((l) => l.label)).toEqual(['Open in Haiku']);
    expect((await fetchEhrLinks('MRN 7', 't', ok, 'web')).map((l) => l.label)).toEqual(['Open chart']);
    expect(asked[0]).toBe('/api/patients/MRN%207/ehr-links');
    expect(await fetchEhrLinks('X', 't', async () => json(404, {}), 'web')).toEqual([]);
    expect(
      await fetchEhrLinks(
        'X',
        't',
        async () => {
          throw new Error('offline');
        },
        'web',
      ),
    ).toEqual([]);
    expect(devicePlatform('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)')).toBe('ios');
    expect(devicePlatform('Mozilla/5.0 (Linux; Android 14; Pixel 8)')).toBe('android');
    expect(devicePlatform('Mozilla/5.0 (X11; Linux x86_64)')).toBe('web');
  });
});
