import { describe, expect, it } from 'vitest';
import { readMail } from './read-mail.ts';

describe('readMail', () => {
  it('reads folded headers, encoded words and a plain body', async () => {
    const mail = await readMail(
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

  it('picks the text/plain part of a multipart mail and undoes quoted-printable', async () => {
    const mail = await readMail(
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

  it('reads base64 text and strips tags from an html-only mail', async () => {
    const b64 = await readMail(
      `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('Bed 12 alarm').toString('base64')}\r\n`,
    );
    expect(b64.text).toBe('Bed 12 alarm');
    const html = await readMail('Content-Type: text/html\r\n\r\n<div>Code <b>blue</b> &amp; go</div>\r\n');
    expect(html.text).toBe('Code blue & go');
  });

  it('lists every header field unfolded and decoded, adjacent encoded words joined', async () => {
    const mail = await readMail(
      Buffer.from(
        [
          'Delivered-To: 5550190@page.riverside.example',
          'X-Pager-Note: =?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?= c',
          'X-Priority: 1',
          '  (Highest)',
          'Delivered-To: 5550191@page.riverside.example',
          'Content-Type: text/plain; charset=iso-8859-1',
          'Content-Transfer-Encoding: 8bit',
          '',
          'Zimmer 12: K\xe4lium 6,9',
          '',
        ].join('\r\n'),
        'latin1',
      ),
    );
    expect(mail.headers).toEqual([
      { name: 'delivered-to', value: '5550190@page.riverside.example' },
      { name: 'x-pager-note', value: 'ab c' },
      { name: 'x-priority', value: '1 (Highest)' },
      { name: 'delivered-to', value: '5550191@page.riverside.example' },
      { name: 'content-type', value: 'text/plain; charset=iso-8859-1' },
      { name: 'content-transfer-encoding', value: '8bit' },
    ]);
    expect(mail.deliveredTo).toEqual(['5550190@page.riverside.example', '5550191@page.riverside.example']);
    expect(mail.text).toBe('Zimmer 12: Kälium 6,9');
    expect([mail.subject, mail.from, mail.messageId]).toEqual(['', '', '']);
  });

  it('reads what it can of a broken mail instead of failing', async () => {
    const broken = await readMail(
      'Subject: half\r\nContent-Type: multipart/mixed; boundary="never"\r\n\r\nno parts here\r\n',
    );
    expect(broken.subject).toBe('half');
    expect(broken.text).toBe('');
    const empty = await readMail('');
    expect(empty).toEqual({ headers: [], subject: '', from: '', messageId: '', deliveredTo: [], text: '' });
  });
});
