import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WctpError } from './wctp-error.ts';

/**
 * A parsed XML element with names folded to lower case: real WCTP clients disagree on the case of
 * element and attribute names (`wctp-Submitrequest`, `SenderID`), and WCTP has no two names that
 * differ only by case, so folding loses nothing.
 */
export interface XmlElement {
  /** Lower-cased element name, e.g. `wctp-submitrequest`. */
  readonly name: string;
  /** Lower-cased attribute names; values have entities decoded and whitespace normalised. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The element's own character data (text and CDATA), entities decoded, not trimmed. */
  readonly text: string;
}

/**
 * Documents larger than this are refused before parsing. A WCTP page is a few kilobytes and a
 * SendMsgMulti to 1,000 pagers about 40 KB. fast-xml-parser costs several microseconds per element
 * here, so the bound also caps the CPU one hostile request can take (about a quarter second).
 */
export const MAX_DOCUMENT_CHARS = 131_072;

export interface ReadXmlOptions {
  /** Refuse longer documents with 301. @defaultValue MAX_DOCUMENT_CHARS */
  maxDocumentChars?: number;
}

// fast-xml-parser's messages quote the document (tag and attribute names, sometimes text); ours
// name only the kind of fault and where it is, so no patient data reaches logs or answers.
const FAULTS: Readonly<Record<string, string>> = {
  InvalidTag: 'a tag is malformed, mismatched or not closed',
  InvalidAttr: 'an attribute is malformed, unquoted or repeated',
  InvalidChar: 'a character is not allowed there',
  InvalidXml: 'the XML declaration or document structure is wrong',
};

// Safety (XXE and "billion laughs"): the DOCTYPE is cut out before the parser sees the text, and
// the parser runs with processEntities off, so no external DTD or entity is ever fetched and no
// entity declared in an internal subset is ever expanded. We decode only the five predefined XML
// entities and character references ourselves (XML 1.0 section 4.6); any other reference is left
// as literal text.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  commentPropName: false,
  allowBooleanAttributes: false,
  maxNestedTags: 64,
  transformTagName: (name: string) => name.toLowerCase(),
  transformAttributeName: (name: string) => name.toLowerCase(),
});

/**
 * Reads one XML document into an element tree. Throws WctpError 301 when the text is not a single
 * well-formed XML element (optionally preceded by a declaration, comments and a DOCTYPE).
 */
export function readXml(xml: string, options: ReadXmlOptions = {}): XmlElement {
  const limit = options.maxDocumentChars ?? MAX_DOCUMENT_CHARS;
  if (xml.length > limit) throw new WctpError(301, `the document is larger than ${limit} characters`);
  const withoutDoctype = stripDoctype(xml.replace(/^\uFEFF/, '').trimStart());
  const text = escapeBareAmpersands(withoutDoctype);
  if (text.length > limit) {
    // Repairing a flood of bare '&' grows the text fivefold; the limit holds after repair too.
    throw new WctpError(301, `the document is larger than ${limit} characters`);
  }
  const verdict = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (verdict !== true) {
    const { code, line, col } = verdict.err;
    const fault = FAULTS[code] ?? 'the markup is broken';
    throw new WctpError(301, `the document is not well-formed XML: ${fault} (line ${line}, column ${col})`);
  }
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch {
    // e.g. a "__proto__" element name, refused by the parser's prototype-pollution guard.
    throw new WctpError(301, 'the document is not well-formed XML: the parser refused it');
  }
  const roots = toElements(nodes);
  // The parser drops text after the last tag ("<a/>junk"), so look for it ourselves.
  const trailing = text.slice(text.lastIndexOf('>') + 1);
  if (roots.elements.length !== 1 || roots.text.trim() !== '' || trailing.trim() !== '') {
    throw new WctpError(301, 'the document must hold exactly one root element and nothing else');
  }
  return roots.elements[0]!;
}

/** First child with that (lower-case) name. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** Every child with that (lower-case) name, in document order. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/**
 * Removes the document type declaration from the prolog. XML 1.0 section 2.8: it may hold quoted
 * literals, comments and an internal subset in square brackets, any of which may contain '>'.
 */
function stripDoctype(xml: string): string {
  // Walk the prolog (XML 1.0 section 2.8: declaration, comments, processing instructions, space).
  let start = 0;
  for (;;) {
    while (start < xml.length && /\s/.test(xml[start]!)) start++;
    if (xml.startsWith('<?', start)) {
      const close = xml.indexOf('?>', start + 2);
      if (close === -1) return xml;
      start = close + 2;
    } else if (xml.startsWith('<!--', start)) {
      const close = xml.indexOf('-->', start + 4);
      if (close === -1) return xml;
      start = close + 3;
    } else {
      break;
    }
  }
  if (xml.slice(start, start + 9).toUpperCase() !== '<!DOCTYPE') return xml;
  let i = start + 9;
  let inSubset = false;
  while (i < xml.length) {
    const c = xml[i]!;
    if (c === '"' || c === "'") {
      const close = xml.indexOf(c, i + 1);
      if (close === -1) break;
      i = close + 1;
    } else if (xml.startsWith('<!--', i)) {
      const close = xml.indexOf('-->', i + 4);
      if (close === -1) break;
      i = close + 3;
    } else if (c === '[' && !inSubset) {
      inSubset = true;
      i++;
    } else if (c === ']' && inSubset) {
      inSubset = false;
      i++;
    } else if (c === '>' && !inSubset) {
      return xml.slice(0, start) + xml.slice(i + 1);
    } else {
      i++;
    }
  }
  throw new WctpError(301, 'the DOCTYPE declaration is not closed');
}

/**
 * Escapes '&' that does not start a reference ("AT&T", "Rm 4 & 5"): common in hand-built WCTP
 * documents and harmless to repair. CDATA sections and comments are left alone. One pass with
 * indexOf, so a document full of unterminated "<![CDATA[" costs linear time, not quadratic.
 */
function escapeBareAmpersands(xml: string): string {
  if (!xml.includes('&')) return xml;
  const parts: string[] = [];
  let i = 0;
  let nextCdata = xml.indexOf('<![CDATA[');
  let nextComment = xml.indexOf('<!--');
  while (nextCdata !== -1 || nextComment !== -1) {
    const isCdata = nextComment === -1 || (nextCdata !== -1 && nextCdata < nextComment);
    const start = isCdata ? nextCdata : nextComment;
    const terminator = isCdata ? ']]>' : '-->';
    const close = xml.indexOf(terminator, start + 4);
    if (close === -1) break; // unterminated: left for validation to refuse
    parts.push(escapeAmpersandsIn(xml.slice(i, start)), xml.slice(start, close + terminator.length));
    i = close + terminator.length;
    if (nextCdata !== -1 && nextCdata < i) nextCdata = xml.indexOf('<![CDATA[', i);
    if (nextComment !== -1 && nextComment < i) nextComment = xml.indexOf('<!--', i);
  }
  parts.push(escapeAmpersandsIn(xml.slice(i)));
  return parts.join('');
}

function escapeAmpersandsIn(text: string): string {
  return text.replace(/&(?!#[0-9]+;|#x[0-9a-fA-F]+;|[A-Za-z_][\w.-]*;)/g, '&amp;');
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined entities and character references; leaves anything else as is. */
function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z_][\w.-]*);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const codePoint =
        ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      const allowed =
        codePoint === 0x9 ||
        codePoint === 0xa ||
        codePoint === 0xd ||
        (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
        (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
        (codePoint >= 0x10000 && codePoint <= 0x10ffff);
      return allowed ? String.fromCodePoint(codePoint) : '\uFFFD';
    }
    return PREDEFINED[ref] ?? whole;
  });
}

/** XML 1.0 section 3.3.3: literal tab, CR and LF in an attribute value read as spaces. */
function attributeValue(raw: string): string {
  return decodeReferences(raw.replace(/\r\n|[\t\n\r]/g, ' '));
}

interface Collected {
  elements: XmlElement[];
  text: string;
}

// fast-xml-parser's preserveOrder output: an array of one-key objects, `{ tag: [...children] }` with
// attributes under ':@', `{ '#text': '...' }` for text and `{ '#cdata': [{ '#text': '...' }] }`.
function toElements(nodes: unknown): Collected {
  const collected: Collected = { elements: [], text: '' };
  if (!Array.isArray(nodes)) return collected;
  for (const node of nodes) {
    if (node === null || typeof node !== 'object') continue;
    for (const key of Object.keys(node)) {
      if (key === ':@') continue;
      const value = (node as Record<string, unknown>)[key];
      if (key === '#text') {
        collected.text += decodeReferences(String(value));
      } else if (key === '#cdata') {
        collected.text += cdataText(value);
      } else {
        const inner = toElements(value);
        collected.elements.push({
          name: key,
          attributes: attributesOf((node as Record<string, unknown>)[':@']),
          children: inner.elements,
          text: inner.text,
        });
      }
    }
  }
  return collected;
}

function cdataText(value: unknown): string {
  if (!Array.isArray(value)) return '';
  return value.map((part) => String((part as Record<string, unknown>)['#text'] ?? '')).join('');
}

function attributesOf(raw: unknown): Map<string, string> {
  const attributes = new Map<string, string>();
  if (raw === null || typeof raw !== 'object') return attributes;
  for (const [name, value] of Object.entries(raw)) {
    if (!attributes.has(name)) attributes.set(name, attributeValue(String(value)));
  }
  return attributes;
}
