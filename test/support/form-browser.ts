/**
 * Just enough of a browser for sign-in flows where Chromium is not installed: it follows redirects itself
 * (so a test can stop at any hop), keeps cookies per host name and path as a browser does (one jar for
 * every port of a host), and submits the first form of a page with the fields it was given.
 */

interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
}

export interface Hop {
  url: string;
  status: number;
  location?: string;
  body: string;
}

export class FormBrowser {
  private readonly cookies: Cookie[] = [];

  /** Requests `url` (following no redirect) with this browser's cookies, and keeps the ones it sets. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Hop> {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(target, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.keep(target, line);
    const location = res.headers.get('location') ?? undefined;
    return {
      url: target.href,
      status: res.status,
      location: location ? new URL(location, target).href : undefined,
      body: await res.text(),
    };
  }

  /**
   * From `url`, follows redirects and submits each page's form (with `fields` for its inputs) until a
   * redirect points at a URL `stop` accepts; returns that URL without requesting it.
   */
  async until(url: string, stop: (url: URL) => boolean, fields: Record<string, string>): Promise<string> {
    let hop = await this.request(url);
    for (let steps = 0; steps < 20; steps++) {
      if (hop.location) {
        if (stop(new URL(hop.location))) return hop.location;
        hop = await this.request(hop.location);
      } else if (hop.status === 200 && /<form/i.test(hop.body)) {
        const form = firstForm(hop.body, hop.url);
        hop = await this.request(form.action, {
          method: 'POST',
          form: { ...form.inputs, ...pick(form, fields) },
        });
      } else throw new Error(`${hop.url} answered ${hop.status} with no way on: ${hop.body.slice(0, 300)}`);
    }
    throw new Error(`no redirect to the stop after 20 steps from ${url}`);
  }

  private cookieHeader(url: URL): string {
    return this.cookies
      .filter((c) => c.host === url.hostname && url.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private keep(url: URL, line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = '/';
    let gone = value === '';
    for (const a of attributes) {
      const [k = '', v = ''] = a.split('=');
      if (k.toLowerCase() === 'path') path = v;
      if (k.toLowerCase() === 'max-age' && Number(v) <= 0) gone = true;
      if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) gone = true;
    }
    const at = this.cookies.findIndex((c) => c.host === url.hostname && c.name === name && c.path === path);
    if (at >= 0) this.cookies.splice(at, 1);
    if (!gone) this.cookies.push({ name, value, host: url.hostname, path });
  }
}

function firstForm(html: string, base: string): { action: string; inputs: Record<string, string> } {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error('no form on the page');
  const action = /action="([^"]*)"/i.exec(form[0])?.[1] ?? base;
  const inputs: Record<string, string> = {};
  for (const input of form[1]?.matchAll(/<input\b[^>]*>/gi) ?? []) {
    const name = /name="([^"]*)"/i.exec(input[0])?.[1];
    if (name) inputs[name] = /value="([^"]*)"/i.exec(input[0])?.[1] ?? '';
  }
  return { action: new URL(action, base).href, inputs };
}

/** The given fields the form has an input for. */
function pick(
  form: { inputs: Record<string, string> },
  fields: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => k in form.inputs));
}
