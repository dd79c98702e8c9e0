/**
 * Email-to-pager MIME reading (mailparser + libmime behind src/protocols/mail/read-mail.ts): whatever the
 * bytes, readMail resolves with text; it has no refusal of its own ("a body it cannot make sense of gives
 * empty text, never an error").
 */
import { readMail } from '../../../src/protocols/mail/read-mail.ts';
import { generatedOrMutated, tokenSoup } from '../mutate.ts';
import { type FuzzOutcome, type FuzzTarget, promise } from '../target.ts';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));
const seeds = [
  crlf([
    'Delivered-To: 5550190@page.riverside.example',
    'From: =?UTF-8?Q?Caf=C3=A9_Lab?= <lab@riverside.example>',
    'Subject: =?UTF-8?B?Q3JpdGljYWwg?=',
    ' =?UTF-8?B?a8OkbGl1bQ==?=',
    'Message-ID: <abc-1@lab.example>',
    '',
    'Call 4401 now.',
    '',
  ]),
  crlf([
    'Subject: page',
    'X-Priority: 1',
    'Content-Type: multipart/alternative; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>html <b>version</b></p>',
    '--b1',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Room 401 =E9 fall risk, please come=',
    ' now',
    '--b1--',
    '',
  ]),
  crlf([
    'From: monitor@icu.example',
    'Subject: =?iso-8859-1?q?Alarme_=E9lev=E9e?=',
    'Content-Type: multipart/mixed; boundary=outer',
    '',
    '--outer',
    'Content-Type: multipart/related; boundary=inner',
    '',
    '--inner',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    'QmVkIDEyIFNwTzIgODglCg==',
    '--inner--',
    '--outer',
    'Content-Type: application/octet-stream; name="trace.bin"',
    "Content-Disposition: attachment; filename*=UTF-8''tr%C3%A4ce.bin",
    'Content-Transfer-Encoding: base64',
    '',
    'AAECAwQF',
    '--outer--',
    '',
  ]),
  crlf(['Subject: html only', 'Content-Type: text/html', '', '<div>Call&nbsp;<i>4401</i><br>now</div>', '']),
];
// biome-ignore format: one token a line would hide the list
const TOKENS = ['\r\n', '\r\n\r\n', '\r\n ', ': ', '=?', '?=', '=?UTF-8?B?', '=?utf-8?q?', '=?x-unknown?Q?', '?B?',
  '=C3=A9', '=\r\n', 'Content-Type: ', 'multipart/mixed; boundary=', 'boundary="', '--', '--b1', '--b1--',
  'Content-Transfer-Encoding: ', 'base64', 'quoted-printable', 'uuencode', 'begin 644 x\r\n', 'charset=', ';',
  'filename*0*=', "UTF-8''%", 'message/rfc822', 'text/html', '<', '>', '&#', '\x00', '\xff', 'Subject: ', 'From: '];

function generate(next: () => number): Buffer {
  return Buffer.concat([tokenSoup(TOKENS, 30, next), Buffer.from('\r\n\r\n'), tokenSoup(TOKENS, 30, next)]);
}

export const mime: FuzzTarget = {
  name: 'mime',
  input: (_i, next) => generatedOrMutated(seeds, TOKENS, generate, next),
  async check(input): Promise<FuzzOutcome> {
    const mail = await readMail(input);
    promise(typeof mail.text === 'string' && typeof mail.subject === 'string', 'a mail reads as text');
    return mail.text === '' && mail.subject === '' ? 'refused' : 'accepted';
  },
};
