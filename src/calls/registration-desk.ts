/**
 * Where clinicians' phones register (RFC 3261 section 10): REGISTER is challenged with digest (401), the
 * credentials are the SIP accounts of the config, the address-of-record is `sip:<username>@<realm>`
 * whatever host the phone put in its To, and every change of bindings is written to the store before
 * the 200 goes out, so a restart does not forget where to ring anyone.
 */
import { formatNameAddr, parseNameAddr } from '../protocols/sip/address.ts';
import { buildResponse } from '../protocols/sip/build.ts';
import type { DigestServer } from '../protocols/sip/digest.ts';
import type { RequestSource } from '../protocols/sip/hop.ts';
import { newTag } from '../protocols/sip/ids.ts';
import type { SipRequest } from '../protocols/sip/message.ts';
import { type Binding, Registrar } from '../protocols/sip/registrar.ts';
import type { ServerTransaction } from '../protocols/sip/transaction-layer.ts';
import { sipUri, type Uri, unescapeUriPart } from '../protocols/sip/uri.ts';
import type { SipBindingRecord, SipStore } from '../store/sip-port.ts';

export interface SipAccount {
  username: string;
  person: string;
  password: string;
}

export interface RegistrationDeskOptions {
  realm: string;
  accounts: readonly SipAccount[];
  digest: DigestServer;
  store: SipStore;
  clock: () => number;
  minExpires: number;
  maxExpires: number;
  onError(error: unknown): void;
  /**
   * Hears which connection a phone registered over (TCP or TLS), so calls to that binding go back down
   * the same connection: a phone behind NAT, or one that listens on no port of its own, is reachable
   * only that way (the idea of RFC 5626's flows, without its Path and instance ids).
   */
  onFlow?(contact: Uri, source: RequestSource): void;
}

export class RegistrationDesk {
  private readonly registrar: Registrar;
  private readonly byUser = new Map<string, SipAccount>();
  private readonly usersOfPerson = new Map<string, string[]>();

  constructor(private readonly options: RegistrationDeskOptions) {
    this.registrar = new Registrar({
      clock: options.clock,
      minExpires: options.minExpires,
      maxExpires: options.maxExpires,
    });
    for (const a of options.accounts) {
      this.byUser.set(a.username, a);
      this.usersOfPerson.set(a.person, [...(this.usersOfPerson.get(a.person) ?? []), a.username]);
    }
  }

  /** The address-of-record of a username. */
  aor(username: string): string {
    return `sip:${username}@${this.options.realm.toLowerCase()}`;
  }

  passwordOf = (username: string): string | undefined => this.byUser.get(username)?.password;

  personOf(username: string): string | undefined {
    return this.byUser.get(username)?.person;
  }

  /** Loads the bindings the store kept (at start). */
  async restore(): Promise<number> {
    const records = await this.options.store.liveBindings(new Date(this.options.clock()));
    const byAor = new Map<string, Binding[]>();
    for (const r of records) {
      const contact = parseNameAddr(r.contact, 'stored Contact');
      byAor.set(r.aor, [
        ...(byAor.get(r.aor) ?? []),
        { contact, expiresAt: r.expiresAt.getTime(), q: r.q, callId: r.callId, cseq: r.cseq },
      ]);
    }
    for (const [aor, bindings] of byAor) this.registrar.restore(aor, bindings);
    return records.length;
  }

  /** Where a person's phones are registered now, best q first. */
  devicesOf(personId: string): Uri[] {
    return (this.usersOfPerson.get(personId) ?? []).flatMap((u) =>
      this.registrar.lookup(this.aor(u)).map((b) => b.contact.uri),
    );
  }

  /** Every live registration, for health and the API. */
  count(): number {
    let n = 0;
    for (const list of this.registrar.snapshot().values()) n += list.length;
    return n;
  }

  handle(request: SipRequest, tx: ServerTransaction, source: RequestSource): void {
    const toUser = request.to.uri.kind === 'sip' ? unescapeUriPart(request.to.uri.user ?? '') : '';
    const verdict = this.options.digest.verify(request, this.passwordOf);
    if (!verdict.ok) {
      if (verdict.why === 'malformed') {
        tx.respond(buildResponse(request, 400, { toTag: newTag(), reason: 'Malformed Authorization' }));
        return;
      }
      const challenge = this.options.digest.challenge(verdict.why === 'stale');
      tx.respond(buildResponse(request, challenge.status, { toTag: newTag(), headers: challenge.headers }));
      return;
    }
    // One may only register one's own address (section 10.3 step 3).
    if (verdict.username !== toUser || !this.byUser.has(toUser)) {
      tx.respond(buildResponse(request, 403, { toTag: newTag(), reason: 'Not your address-of-record' }));
      return;
    }
    const aor = this.aor(toUser);
    // The registrar keys bindings by the To URI: give it ours, whatever host the phone wrote.
    const keyed: SipRequest = {
      ...request,
      to: { ...request.to, uri: sipUri({ user: toUser, host: this.options.realm.toLowerCase() }) },
    };
    const response = this.registrar.register(keyed, newTag());
    response.to = { ...request.to, params: response.to.params };
    if (response.status !== 200) {
      tx.respond(response);
      return;
    }
    const at = `${source.transport.toLowerCase()}:${source.address}:${source.port}`;
    if (source.transport !== 'UDP') {
      for (const c of request.contact) this.options.onFlow?.(c.uri, source);
    }
    const records: SipBindingRecord[] = this.registrar.lookup(aor).map((b) => ({
      aor,
      contact: formatNameAddr(b.contact),
      expiresAt: new Date(b.expiresAt),
      q: b.q,
      callId: b.callId,
      cseq: b.cseq,
      source: at,
    }));
    this.options.store.saveBindings(aor, records).then(
      () => tx.respond(response),
      (err) => {
        this.options.onError(err);
        tx.respond(buildResponse(request, 500, { toTag: newTag(), reason: 'Could not store the binding' }));
      },
    );
  }
}
