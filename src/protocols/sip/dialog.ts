/**
 * Dialogs (RFC 3261 section 12): state created by a 2xx (or a 101-199 with a To tag) to INVITE, and
 * the rules for requests sent inside them. Plain data plus functions, so that the B2BUA can keep
 * dialogs wherever it likes (memory, store).
 */
import { type NameAddr, tagOf } from './address.ts';
import type { LocalViaAddress } from './build.ts';
import { newBranch } from './ids.ts';
import type { SipHeader, SipRequest, SipResponse } from './message.ts';
import type { Uri } from './uri.ts';
import type { Via } from './via.ts';

export interface Dialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  role: 'uac' | 'uas';
  state: 'early' | 'confirmed' | 'terminated';
  /** Our address (From of requests we send inside the dialog), without tag. */
  localUri: NameAddr;
  remoteUri: NameAddr;
  /** CSeq of the last request we sent in the dialog; 0 before the first (UAS side). */
  localSeq: number;
  /** CSeq of the last request the peer sent; undefined before the first (UAC side). */
  remoteSeq: number | undefined;
  /** Where requests go: the peer's Contact (refreshed by target refresh requests, section 12.2). */
  remoteTarget: Uri;
  /** Record-Route in the order requests must traverse it. */
  routeSet: NameAddr[];
  /** sips Request-URI and top Record-Route / Contact (section 12.1.1). */
  secure: boolean;
}

const withoutTag = (na: NameAddr): NameAddr => {
  const params = new Map(na.params);
  params.delete('tag');
  return { ...na, params };
};

/** Matching key for a dialog: Call-ID plus both tags (section 12). */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

/** The key of the dialog a received request belongs to: our tag is in To, theirs in From. */
export function dialogKeyOfRequest(request: SipRequest): string | undefined {
  const local = tagOf(request.to);
  return local === undefined ? undefined : dialogKey(request.callId, local, tagOf(request.from) ?? '');
}

/** The key of the dialog a response to our request belongs to: our tag is in From, theirs in To. */
export function dialogKeyOfResponse(response: SipResponse): string | undefined {
  const remote = tagOf(response.to);
  return remote === undefined ? undefined : dialogKey(response.callId, tagOf(response.from) ?? '', remote);
}

/** UAC side, from our INVITE and a 1xx/2xx with a To tag (section 12.1.2). */
export function createUacDialog(invite: SipRequest, response: SipResponse): Dialog {
  const remoteTag = tagOf(response.to);
  if (remoteTag === undefined) throw new Error('A dialog needs a To tag in the response');
  const contact = response.contact[0];
  return {
    callId: invite.callId,
    localTag: tagOf(invite.from) ?? '',
    remoteTag,
    role: 'uac',
    state: response.status >= 200 ? 'confirmed' : 'early',
    localUri: withoutTag(invite.from),
    remoteUri: withoutTag(response.to),
    localSeq: invite.cseq.seq,
    remoteSeq: undefined,
    remoteTarget: contact ? contact.uri : invite.uri,
    // The response's Record-Route, reversed (section 12.1.2).
    routeSet: [...response.recordRoute].reverse(),
    secure: invite.uri.scheme === 'sips',
  };
}

/** UAS side, from the received INVITE and the 1xx/2xx we answer it with (section 12.1.1). */
export function createUasDialog(invite: SipRequest, response: SipResponse): Dialog {
  const localTag = tagOf(response.to);
  if (localTag === undefined) throw new Error('A dialog needs our To tag in the response');
  const contact = invite.contact[0];
  if (!contact) throw new Error('A dialog-creating request must carry a Contact');
  return {
    callId: invite.callId,
    localTag,
    remoteTag: tagOf(invite.from) ?? '',
    role: 'uas',
    state: response.status >= 200 ? 'confirmed' : 'early',
    localUri: withoutTag(invite.to),
    remoteUri: withoutTag(invite.from),
    localSeq: 0,
    remoteSeq: invite.cseq.seq,
    remoteTarget: contact.uri,
    routeSet: [...invite.recordRoute],
    secure: invite.uri.scheme === 'sips',
  };
}

const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']);

/**
 * Accepts a request received inside the dialog (section 12.2.2): returns 500 when its CSeq is
 * lower than the last one seen, otherwise records it and applies a target refresh.
 */
export function acceptInDialogRequest(
  dialog: Dialog,
  request: SipRequest,
): { status: 500; reason: string } | undefined {
  if (request.method !== 'ACK' && request.method !== 'CANCEL') {
    if (dialog.remoteSeq !== undefined && request.cseq.seq <= dialog.remoteSeq) {
      return { status: 500, reason: 'CSeq out of order' };
    }
    dialog.remoteSeq = request.cseq.seq;
  }
  if (TARGET_REFRESH.has(request.method) && request.contact[0]) dialog.remoteTarget = request.contact[0].uri;
  if (request.method === 'BYE') dialog.state = 'terminated';
  return undefined;
}

/** Applies a response to a request we sent in the dialog: confirms it on 2xx, refreshes the target. */
export function applyInDialogResponse(dialog: Dialog, request: SipRequest, response: SipResponse): void {
  if (response.status >= 200 && response.status < 300) {
    if (dialog.state === 'early') dialog.state = 'confirmed';
    if (TARGET_REFRESH.has(request.method) && response.contact[0])
      dialog.remoteTarget = response.contact[0].uri;
    if (request.method === 'BYE') dialog.state = 'terminated';
  }
  // 481 / 408 end the dialog (section 12.2.1.2).
  if (response.status === 481 || response.status === 408) dialog.state = 'terminated';
}

export interface InDialogOptions {
  via: LocalViaAddress;
  /** Our Contact, required for target refresh requests (re-INVITE). */
  contact?: NameAddr;
  headers?: SipHeader[];
  body?: Buffer;
  contentType?: string;
}

/**
 * A request inside the dialog (section 12.2.1.1): next local CSeq (ACK and CANCEL reuse the INVITE's,
 * see `buildAckFor2xx`), From/To with tags, Request-URI and Route from the route set and remote target,
 * loose (lr) or strict routing.
 */
export function buildInDialogRequest(dialog: Dialog, method: string, options: InDialogOptions): SipRequest {
  dialog.localSeq += 1;
  return buildWithSeq(dialog, method, dialog.localSeq, options);
}

/** The ACK for a 2xx to an INVITE (section 13.2.2.4): the INVITE's CSeq number, a new branch. */
export function buildAckFor2xx(dialog: Dialog, invite: SipRequest, options: InDialogOptions): SipRequest {
  return buildWithSeq(dialog, 'ACK', invite.cseq.seq, options);
}

function buildWithSeq(dialog: Dialog, method: string, seq: number, options: InDialogOptions): SipRequest {
  const from = { ...dialog.localUri, params: new Map(dialog.localUri.params).set('tag', dialog.localTag) };
  const to = { ...dialog.remoteUri, params: new Map(dialog.remoteUri.params) };
  if (dialog.remoteTag !== '') to.params.set('tag', dialog.remoteTag);
  let uri = dialog.remoteTarget;
  let route = dialog.routeSet;
  const first = route[0];
  if (first && first.uri.kind === 'sip' && !first.uri.params.has('lr')) {
    // Strict router (section 12.2.1.1): it goes in the Request-URI, the remote target at the end of Route.
    uri = first.uri;
    route = [...route.slice(1), { uri: dialog.remoteTarget, params: new Map() }];
  }
  const via: Via = {
    protocol: 'SIP/2.0',
    transport: options.via.transport.toUpperCase(),
    host: options.via.host,
    port: options.via.port,
    params: new Map([
      ['branch', newBranch()],
      ['rport', null],
    ]),
  };
  if (via.port === undefined) delete via.port;
  const headers = [...(options.headers ?? [])];
  if (options.contentType !== undefined) headers.push({ name: 'Content-Type', value: options.contentType });
  return {
    kind: 'request',
    method,
    uri,
    via: [via],
    maxForwards: 70,
    route,
    recordRoute: [],
    from,
    to,
    callId: dialog.callId,
    cseq: { seq, method },
    contact: options.contact ? [options.contact] : [],
    headers,
    body: options.body ?? Buffer.alloc(0),
  };
}
