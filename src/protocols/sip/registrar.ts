/**
 * A registrar (RFC 3261 section 10.3): bindings of contact addresses to an address-of-record, each
 * with its expiry, Call-ID and CSeq. Pure: time comes from the injected clock; storage is in memory
 * (the listener may persist `snapshot()`).
 */
import { type NameAddr, tagOf } from './address.ts';
import { buildResponse } from './build.ts';
import { getHeader, type SipRequest, type SipResponse } from './message.ts';
import type { Clock } from './timers.ts';
import { formatUri, type Uri, unescapeUriPart, uriEquals } from './uri.ts';

export interface Binding {
  contact: NameAddr;
  /** Absolute expiry, clock milliseconds. */
  expiresAt: number;
  /** 0..1, from the Contact q parameter (default 1: RFC 3261 section 20.10 leaves it to us). */
  q: number;
  callId: string;
  cseq: number;
}

export interface RegistrarOptions {
  clock: Clock;
  /** Shorter non-zero expiries get 423 with Min-Expires (section 10.3 step 7). @defaultValue 60 */
  minExpires?: number;
  /** Longer expiries are cut down to this. @defaultValue 3600 */
  maxExpires?: number;
  /** When neither the contact nor the request says. @defaultValue 3600 */
  defaultExpires?: number;
}

/** The address-of-record key of a To URI (section 10.3 step 5): scheme, user and host, unescaped. */
export function addressOfRecord(uri: Uri): string {
  if (uri.kind !== 'sip') return formatUri(uri);
  return `${uri.scheme}:${unescapeUriPart(uri.user ?? '')}@${uri.host.toLowerCase()}`;
}

export class Registrar {
  private readonly bindingsByAor = new Map<string, Binding[]>();
  private readonly minExpires: number;
  private readonly maxExpires: number;
  private readonly defaultExpires: number;

  constructor(private readonly options: RegistrarOptions) {
    this.minExpires = options.minExpires ?? 60;
    this.maxExpires = options.maxExpires ?? 3600;
    this.defaultExpires = options.defaultExpires ?? 3600;
  }

  /** Current bindings of an AOR, best q first (expired ones are dropped). */
  lookup(aor: Uri | string): Binding[] {
    const key = typeof aor === 'string' ? aor : addressOfRecord(aor);
    const now = this.options.clock();
    const live = (this.bindingsByAor.get(key) ?? []).filter((b) => b.expiresAt > now);
    if (live.length === 0) this.bindingsByAor.delete(key);
    else this.bindingsByAor.set(key, live);
    return [...live].sort((a, b) => b.q - a.q);
  }

  /**
   * Processes an authorised REGISTER and returns the response to send: 200 listing the current
   * bindings, 400 for a bad Contact star or Expires, 423 for a too-short expiry, 500 for an out-of-order CSeq.
   */
  register(request: SipRequest, toTag: string): SipResponse {
    const aor = addressOfRecord(request.to.uri);
    const now = this.options.clock();
    const headerExpires = parseExpires(getHeader(request, 'Expires'));
    const reply = (status: number, reason?: string, extra: { name: string; value: string }[] = []) =>
      buildResponse(request, status, { toTag, reason, headers: extra });
    const current = this.lookup(aor);

    if (request.contactStar) {
      // Contact: * only with Expires: 0 (section 10.2.2), removes every binding not newer than this request.
      if (headerExpires !== 0) return reply(400, 'Contact * requires Expires: 0');
      for (const b of current) {
        if (b.callId === request.callId && request.cseq.seq <= b.cseq)
          return reply(500, 'Out of order REGISTER');
      }
      this.bindingsByAor.delete(aor);
      return this.okResponse(request, toTag, aor);
    }

    const updates: { contact: NameAddr; expires: number; q: number }[] = [];
    for (const contact of request.contact) {
      let expires = parseExpires(paramValue(contact, 'expires')) ?? headerExpires ?? this.defaultExpires;
      if (expires !== 0 && expires < this.minExpires) {
        return reply(423, undefined, [{ name: 'Min-Expires', value: String(this.minExpires) }]);
      }
      expires = Math.min(expires, this.maxExpires);
      const qText = paramValue(contact, 'q');
      const q = qText === undefined ? 1 : Number(qText);
      if (!(q >= 0 && q <= 1)) return reply(400, 'Bad q value');
      updates.push({ contact, expires, q });
    }
    const bindings = [...current];
    for (const u of updates) {
      const at = bindings.findIndex((b) => uriEquals(b.contact.uri, u.contact.uri));
      const existing = at >= 0 ? bindings[at] : undefined;
      if (existing && existing.callId === request.callId && request.cseq.seq <= existing.cseq) {
        return reply(500, 'Out of order REGISTER');
      }
      if (u.expires === 0) {
        if (at >= 0) bindings.splice(at, 1);
        continue;
      }
      const contact = { ...u.contact, params: new Map(u.contact.params) };
      contact.params.delete('expires');
      const binding: Binding = {
        contact,
        expiresAt: now + u.expires * 1000,
        q: u.q,
        callId: request.callId,
        cseq: request.cseq.seq,
      };
      if (at >= 0) bindings[at] = binding;
      else bindings.push(binding);
    }
    if (bindings.length === 0) this.bindingsByAor.delete(aor);
    else this.bindingsByAor.set(aor, bindings);
    return this.okResponse(request, toTag, aor);
  }

  /**
   * Puts back bindings kept elsewhere (the gateway's store, after a restart), replacing those of `aor`.
   * Already expired ones are dropped by the next lookup.
   */
  restore(aor: string, bindings: Binding[]): void {
    if (bindings.length === 0) this.bindingsByAor.delete(aor);
    else
      this.bindingsByAor.set(
        aor,
        bindings.map((b) => ({ ...b })),
      );
  }

  /** Every live binding, for persistence or health pages. */
  snapshot(): Map<string, Binding[]> {
    for (const aor of [...this.bindingsByAor.keys()]) this.lookup(aor);
    return new Map(this.bindingsByAor);
  }

  // The 200 lists all current bindings with their remaining expiry (section 10.3 step 8).
  private okResponse(request: SipRequest, toTag: string, aor: string): SipResponse {
    const now = this.options.clock();
    const response = buildResponse(request, 200, { toTag: tagOf(request.to) ?? toTag });
    response.contact = this.lookup(aor).map((b) => ({
      ...b.contact,
      params: new Map(b.contact.params).set(
        'expires',
        String(Math.max(0, Math.round((b.expiresAt - now) / 1000))),
      ),
    }));
    return response;
  }
}

function paramValue(na: NameAddr, name: string): string | undefined {
  const v = na.params.get(name);
  return v === null || v === undefined ? undefined : v;
}

/** delta-seconds; values beyond 2**32-1 are treated as the default (RFC 4475 section 3.1.2.4). */
function parseExpires(value: string | undefined): number | undefined {
  if (value === undefined || !/^[0-9]+$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return n > 0xffffffff ? undefined : n;
}
