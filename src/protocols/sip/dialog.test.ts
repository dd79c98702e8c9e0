import { describe, expect, it } from 'vitest';
import { buildCancel, buildResponse } from './build.ts';
import {
  acceptInDialogRequest,
  applyInDialogResponse,
  buildAckFor2xx,
  buildInDialogRequest,
  createUacDialog,
  createUasDialog,
  dialogKeyOfRequest,
  dialogKeyOfResponse,
} from './dialog.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { parseMessage } from './parser.ts';
import { formatUri } from './uri.ts';

const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'));
const invite = parseMessage(
  crlf(`INVITE sip:bed12@example.org SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKinv1
Max-Forwards: 70
Record-Route: <sip:p2.example.org;lr>, <sip:p1.example.org;lr>
From: "Desk" <sip:desk@example.org>;tag=uac1
To: <sip:bed12@example.org>
Call-ID: dlg-1
CSeq: 10 INVITE
Contact: <sip:desk@192.0.2.1:5060>
Content-Length: 0

`),
) as SipRequest;

function answer(status: number, contact = '<sip:bed12@192.0.2.50:5070>'): SipResponse {
  const r = buildResponse(invite, status, { toTag: 'uas1' });
  r.contact = parseMessage(
    crlf(`SIP/2.0 200 OK
Via: SIP/2.0/UDP h;branch=z9hG4bKx
From: <sip:a@b>;tag=1
To: <sip:a@b>
Call-ID: c
CSeq: 1 INVITE
Contact: ${contact}
Content-Length: 0

`),
  ).contact;
  return r;
}

const via = { transport: 'udp', host: '192.0.2.1', port: 5060 };

describe('dialogs (RFC 3261 section 12)', () => {
  it('UAS side: route set in Record-Route order, remote target from the request Contact', () => {
    const response = answer(200);
    const dialog = createUasDialog(invite, response);
    expect(dialog).toMatchObject({
      callId: 'dlg-1',
      localTag: 'uas1',
      remoteTag: 'uac1',
      state: 'confirmed',
    });
    expect(dialog.routeSet.map((r) => formatUri(r.uri))).toEqual([
      'sip:p2.example.org;lr',
      'sip:p1.example.org;lr',
    ]);
    expect(formatUri(dialog.remoteTarget)).toBe('sip:desk@192.0.2.1:5060');
    expect(dialog.remoteSeq).toBe(10);
    const bye = buildInDialogRequest(dialog, 'BYE', { via });
    expect(bye.cseq).toEqual({ seq: 1, method: 'BYE' });
    expect(bye.from.params.get('tag')).toBe('uas1');
    expect(bye.to.params.get('tag')).toBe('uac1');
    expect(formatUri(bye.uri)).toBe('sip:desk@192.0.2.1:5060');
    expect(bye.route.map((r) => formatUri(r.uri))).toEqual([
      'sip:p2.example.org;lr',
      'sip:p1.example.org;lr',
    ]);
    // The peer (the UAC) finds its dialog from this BYE: its own tag is in To.
    expect(dialogKeyOfRequest(bye)).toBe(dialogKeyOfResponse(response));
  });

  it('UAC side: reversed route set, target from the response Contact, CSeq counting and the 2xx ACK', () => {
    const response = answer(200);
    const dialog = createUacDialog(invite, response);
    expect(dialog.routeSet.map((r) => formatUri(r.uri))).toEqual([
      'sip:p1.example.org;lr',
      'sip:p2.example.org;lr',
    ]);
    expect(formatUri(dialog.remoteTarget)).toBe('sip:bed12@192.0.2.50:5070');
    const ack = buildAckFor2xx(dialog, invite, { via });
    expect(ack.cseq).toEqual({ seq: 10, method: 'ACK' });
    expect(ack.via[0]!.params.get('branch')).not.toBe('z9hG4bKinv1');
    const reinvite = buildInDialogRequest(dialog, 'INVITE', { via, contact: invite.contact[0] });
    expect(reinvite.cseq.seq).toBe(11);
    expect(buildInDialogRequest(dialog, 'BYE', { via }).cseq.seq).toBe(12);
    expect(dialogKeyOfResponse(response)).toBe(`dlg-1\u0000uac1\u0000uas1`);
  });

  it('re-INVITE refreshes the remote target on both sides', () => {
    const uac = createUacDialog(invite, answer(200));
    const reinvite = buildInDialogRequest(uac, 'INVITE', { via, contact: invite.contact[0] });
    applyInDialogResponse(uac, reinvite, answer(200, '<sip:bed12@192.0.2.51>'));
    expect(formatUri(uac.remoteTarget)).toBe('sip:bed12@192.0.2.51');

    const uas = createUasDialog(invite, answer(200));
    const incoming = {
      ...invite,
      cseq: { seq: 11, method: 'INVITE' },
      contact: answer(200, '<sip:desk@192.0.2.9>').contact,
    };
    expect(acceptInDialogRequest(uas, incoming)).toBeUndefined();
    expect(formatUri(uas.remoteTarget)).toBe('sip:desk@192.0.2.9');
    expect(acceptInDialogRequest(uas, { ...incoming, cseq: { seq: 11, method: 'INVITE' } })?.status).toBe(
      500,
    );
  });

  it('sends through a strict router by putting it in the Request-URI', () => {
    const dialog = createUacDialog(invite, answer(200));
    dialog.routeSet = [
      {
        uri: {
          kind: 'sip',
          scheme: 'sip',
          host: 'strict.example.org',
          params: new Map(),
          headers: new Map(),
        },
        params: new Map(),
      },
    ];
    const bye = buildInDialogRequest(dialog, 'BYE', { via });
    expect(formatUri(bye.uri)).toBe('sip:strict.example.org');
    expect(bye.route.map((r) => formatUri(r.uri))).toEqual(['sip:bed12@192.0.2.50:5070']);
  });

  it('an early dialog from a 180 with a tag is confirmed by the 2xx; 481 ends it', () => {
    const dialog = createUacDialog(invite, answer(180));
    expect(dialog.state).toBe('early');
    applyInDialogResponse(dialog, invite, answer(200));
    expect(dialog.state).toBe('confirmed');
    const info = buildInDialogRequest(dialog, 'INFO', { via });
    applyInDialogResponse(dialog, info, buildResponse(info, 481));
    expect(dialog.state).toBe('terminated');
  });
});

describe('CANCEL (RFC 3261 section 9.1)', () => {
  it('copies Request-URI, Call-ID, From, To, CSeq number and the top Via branch', () => {
    const cancel = buildCancel(invite, 'SIP;cause=200;text="Call completed elsewhere"');
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.uri).toEqual(invite.uri);
    expect(cancel.cseq).toEqual({ seq: 10, method: 'CANCEL' });
    expect(cancel.via).toEqual([invite.via[0]]);
    expect(cancel.to).toEqual(invite.to);
    expect(cancel.headers).toEqual([
      { name: 'Reason', value: 'SIP;cause=200;text="Call completed elsewhere"' },
    ]);
  });
});
