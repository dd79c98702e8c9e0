import { describe, expect, it } from 'vitest';
import { decodeWords, readMail } from './read-mail.ts';

describe('readMail', () => {
  it('reads folded headers, encoded words and a plain body', () => {
    const mail = readMail(
      [
        'Delivered-To: 5550190@page.riverside.example',
        'From: =?UTF-8?Q?Caf=C3=A9_Lab?= <lab@riverside.example>',
        'Subject: =?UTF-8?B?Q3JpdGljYWwg?=',
        ' =?UTF-8?B?a8OkbGl1bQ==?=',
        'Message-ID: <abc-1@lab.example>',
        '',
        'Call 4401 now.',
        '',
      ].join('\r\n'),
    );
    expect(mail.deliveredTo).toEqual(['5550190@page.riverside.example']);
    expect(mail.from).toBe('Café Lab <lab@riverside.example>');
    expect(mail.subject).toBe('Critical kälium');
    expect(mail.messageId).toBe('abc-1@lab.example');
    expect(mail.text).toBe('Call 4401 now.');
  });

  it('picks the text/plain part of a multipart mail and undoes quoted-printable', () => {
    const mail = readMail(
      [
        'Subject: page',
        'Content-Type: multipart/alternative; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>html version</p>',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Room 401 =E2=80=93 fall risk, please come=',
        ' now',
        '--b1--',
        '',
      ].join('\r\n'),
    );
    expect(mail.text).toBe('Room 401 – fall risk, please come now');
  });

  it('reads base64 text and strips tags from an html-only mail', () => {
    const b64 = readMail(
      `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('Bed 12 alarm').toString('base64')}\r\n`,
    );
    expect(b64.text).toBe('Bed 12 alarm');
    const html = readMail('Content-Type: text/html\r\n\r\n<div>Code <b>blue</b> &amp; go</div>\r\n');
    expect(html.text).toBe('Code blue & go');
  });

  it('joins adjacent encoded words without the space between them', () => {
    expect(decodeWords('=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?= c')).toBe('ab c');
  });
});
