import { describe, expect, it } from 'vitest';
import { WctpError } from './wctp-error.ts';
import { MAX_DOCUMENT_CHARS, readXml } from './xml-reader.ts';

function code(xml: string): number {
  try {
    readXml(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(WctpError);
    return (error as WctpError).code;
  }
  return 0;
}

describe('readXml', () => {
  it('folds element and attribute names to lower case and decodes the predefined entities', () => {
    const root = readXml('<A Key="x &lt; &#65;&#x42; &quot;q&quot;">t &amp; &apos;u&apos;<B/></A>');
    expect(root.name).toBe('a');
    expect(root.attributes.get('key')).toBe('x < AB "q"');
    expect(root.text).toBe("t & 'u'");
    expect(root.children.map((c) => c.name)).toEqual(['b']);
  });

  it('keeps CDATA literally and leaves unknown entity references as text', () => {
    const root = readXml('<a><![CDATA[<b>&amp;</b>]]> &eacute;</a>');
    expect(root.text).toBe('<b>&amp;</b> &eacute;');
  });

  it('repairs a bare ampersand but not one inside CDATA', () => {
    expect(readXml('<a t="R&D">AT&T</a>').text).toBe('AT&T');
    expect(readXml('<a t="R&D">AT&T</a>').attributes.get('t')).toBe('R&D');
    expect(readXml('<a><![CDATA[x & y]]></a>').text).toBe('x & y');
  });

  it('normalises tab and newline in attribute values to spaces (XML 1.0 section 3.3.3)', () => {
    expect(readXml('<a v="one\ttwo\nthree"/>').attributes.get('v')).toBe('one two three');
  });

  it('cuts out a DOCTYPE whose literals and internal subset contain ">"', () => {
    const doc = `<?xml version="1.0"?>\n<!-- a comment -->\n<!DOCTYPE a SYSTEM "http://dead.invalid/x>y.dtd" [
      <!ENTITY e "v>w"> <!-- note > here --> <!ELEMENT a ANY>
    ]>\n<a>&e;</a>`;
    const root = readXml(doc);
    expect(root.name).toBe('a');
    expect(root.text).toBe('&e;');
  });

  it('does not expand entities from a DOCTYPE smuggled inside the content, nor external or parameter ones', () => {
    expect(readXml('<a><!DOCTYPE x [<!ENTITY e "EXPANDED">]><b>&e;</b></a>').children[0]!.text).toBe('&e;');
    expect(readXml('<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/hostname">]><a>&e;</a>').text).toBe('&e;');
    expect(readXml('<!DOCTYPE a [<!ENTITY % p SYSTEM "http://x.invalid/p.dtd"> %p;]><a>&e;</a>').text).toBe(
      '&e;',
    );
  });

  it('refuses an unclosed DOCTYPE, broken markup, several roots and text outside the root', () => {
    expect(code('<!DOCTYPE a [ <!ENTITY e "x"> <a/>')).toBe(301);
    expect(code('<a><b></a>')).toBe(301);
    expect(code('<a/><b/>')).toBe(301);
    expect(code('<a/>trailing words')).toBe(301);
    expect(code('')).toBe(301);
  });

  it('refuses deep nesting and oversized documents without trying to read them', () => {
    expect(code(`${'<a>'.repeat(200)}${'</a>'.repeat(200)}`)).toBe(301);
    expect(code(`<a>${'x'.repeat(MAX_DOCUMENT_CHARS)}</a>`)).toBe(301);
  });

  it('applies the size limit after repairing bare ampersands, and takes a smaller limit when told', () => {
    expect(code(`<a>${'&'.repeat(MAX_DOCUMENT_CHARS / 2)}</a>`)).toBe(301);
    expect(code('<a>0123456789</a>')).toBe(0);
    expect(() => readXml('<a>0123456789</a>', { maxDocumentChars: 10 })).toThrow(/larger than 10/);
  });

  it('refuses floods of unterminated CDATA sections and comments (scanned in one pass)', () => {
    expect(code(`<a>&${'<![CDATA['.repeat(10_000)}</a>`)).toBe(301);
    expect(code(`<a>&${'<!--'.repeat(20_000)}</a>`)).toBe(301);
  });

  it('does not quote the document in its error texts', () => {
    for (const doc of [
      '<Secret-Name attr="x"><b></Secret-Name>',
      '<a Secret-Attr="1" Secret-Attr="2"/>',
      '<a>x</a >PATIENT',
    ]) {
      try {
        readXml(doc);
        expect.unreachable();
      } catch (error) {
        expect((error as WctpError).text).not.toMatch(/secret|patient/i);
      }
    }
  });

  it('is not fooled by prototype-polluting names', () => {
    expect(code('<a __proto__="x"><__proto__/></a>')).toBe(301);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
