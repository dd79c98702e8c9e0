/**
 * A very small XML writer. The builders decide element and attribute order (the DTD's order); this
 * file only guarantees that what it writes is well-formed whatever the strings hold.
 */

/** An element to write. Attributes whose value is undefined are left out. */
export interface XmlNode {
  readonly name: string;
  readonly attributes: ReadonlyArray<readonly [string, string | undefined]>;
  /** Child elements, or the element's character data (for the DTD's #PCDATA elements). */
  readonly content: readonly XmlNode[] | string;
}

export function element(
  name: string,
  attributes: ReadonlyArray<readonly [string, string | undefined]> = [],
  content: readonly XmlNode[] | string = [],
): XmlNode {
  return { name, attributes, content };
}

/**
 * Characters XML 1.0 cannot carry even as references (section 2.2: C0 controls other than tab, LF
 * and CR; lone surrogates; U+FFFE and U+FFFF). They become U+FFFD so the answer stays well-formed.
 */
const NOT_XML_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeText(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/**
 * Attribute values also escape quotes, and tab, LF and CR as character references: written
 * literally, a reader would turn them into spaces (XML 1.0 section 3.3.3).
 */
export function escapeAttribute(value: string): string {
  return escapeText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;');
}

/** Serialises an element tree, two spaces per level; #PCDATA content is written inline. */
export function serialise(node: XmlNode, depth = 0): string {
  const indent = '  '.repeat(depth);
  const attributes = node.attributes
    .filter((pair): pair is readonly [string, string] => pair[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`)
    .join('');
  const open = `${indent}<${node.name}${attributes}`;
  if (typeof node.content === 'string') {
    return node.content === '' ? `${open}/>` : `${open}>${escapeText(node.content)}</${node.name}>`;
  }
  if (node.content.length === 0) return `${open}/>`;
  const children = node.content.map((c) => serialise(c, depth + 1)).join('\n');
  return `${open}>\n${children}\n${indent}</${node.name}>`;
}
