import { describe, expect, it } from 'vitest';
import { decodeBody } from './body.ts';
import { parseWctp } from './parse.ts';
import { WctpError } from './wctp-error.ts';

const XML =
  '<?xml version="1.0"?><wctp-Operation wctpVersion="1.3"><wctp-VersionQuery inquirer="Zoë &amp; co"/></wctp-Operation>';

describe('decodeBody', () => {
  it('passes text/xml through, as a string or as UTF-8 bytes', () => {
    expect(decodeBody(XML, 'text/xml')).toBe(XML);
    expect(decodeBody(Buffer.from(XML, 'utf8'), 'text/xml; charset=utf-8')).toBe(XML);
    expect(decodeBody(Buffer.from(XML, 'utf8'))).toBe(XML);
  });

  it('drops a byte-order mark and leading space', () => {
    expect(decodeBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`\n  ${XML}`)]))).toBe(XML);
  });

  it('honours the charset parameter, then the XML declaration', () => {
    const latin1 = XML.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>');
    const bytes = Buffer.from(latin1, 'latin1');
    expect(decodeBody(bytes)).toBe(latin1);
    expect(decodeBody(Buffer.from(XML, 'latin1'), 'text/xml; charset=ISO-8859-1')).toBe(XML);
  });

  it('reads a UTF-8 body whose declaration says utf-16 (a .NET habit) as UTF-8', () => {
    const declared16 = XML.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>');
    expect(decodeBody(Buffer.from(declared16, 'utf8'), 'text/xml')).toBe(declared16);
  });

  it('reads UTF-16 with a byte-order mark', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(XML, 'utf16le')]);
    expect(decodeBody(utf16)).toBe(XML);
  });

  it('takes the XML out of a urlencoded form field, whatever the field is called', () => {
    const form = `user=desk&xml=${encodeURIComponent(XML)}&submit=Send`;
    expect(decodeBody(form, 'application/x-www-form-urlencoded')).toBe(XML);
    expect(decodeBody(Buffer.from(form), undefined)).toBe(XML);
    const plus = `wctp=${encodeURIComponent(XML).replace(/%20/g, '+')}`;
    expect(parseWctp(decodeBody(plus, 'application/x-www-form-urlencoded'))).toMatchObject({
      operation: 'VersionQuery',
      inquirer: 'Zoë & co',
    });
  });

  it('prefers the field holding a wctp-Operation when several hold XML', () => {
    const other = '<note>not this</note>';
    const form = `a=${encodeURIComponent(other)}&b=${encodeURIComponent(XML)}`;
    expect(decodeBody(form, 'application/x-www-form-urlencoded')).toBe(XML);
  });

  it('treats a form content type with a raw XML body as XML (curl -d @file)', () => {
    expect(decodeBody(XML, 'application/x-www-form-urlencoded')).toBe(XML);
  });

  it.each([
    ['', 'text/xml'],
    ['   ', undefined],
    ['name=value&other=1', 'application/x-www-form-urlencoded'],
    ['just some words', 'text/plain'],
  ])('refuses %j with 301', (body, contentType) => {
    try {
      decodeBody(body, contentType);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WctpError);
      expect((error as WctpError).code).toBe(301);
    }
  });
});
