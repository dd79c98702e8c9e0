import { SipParseError } from './errors.ts';

// Character classes of RFC 3261 section 25.1, as lookup tables over the first 128 code points.
function charClass(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) table[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) table[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) table[c] = 1;
  for (const ch of chars) table[ch.charCodeAt(0)] = 1;
  return table;
}

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = charClass("-.!%*_+`'~");
/** word (Call-ID) adds ( ) < > : \ DQUOTE / [ ] ? { } to token. */
export const WORD = charClass('-.!%*_+`\'~()<>:\\"/[]?{}');

export function isIn(table: Uint8Array, code: number): boolean {
  return code < 128 && table[code] === 1;
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isIn(TOKEN, s.charCodeAt(i))) return false;
  return true;
}

/**
 * A cursor over one (already unfolded) header value. LWS inside values is SP / HTAB only, since
 * folding was undone by the header splitter (RFC 3261 section 7.3.1).
 */
export class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  /** Skips SP and HTAB (SWS / LWS after unfolding). Returns whether any were skipped. */
  skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09) break;
      this.pos++;
    }
    return this.pos > start;
  }

  /** Consumes `ch` (with optional space around it, as SEMI, COLON, EQUAL, SLASH, COMMA allow). */
  accept(ch: string): boolean {
    const save = this.pos;
    this.skipSpace();
    if (this.text[this.pos] === ch) {
      this.pos++;
      this.skipSpace();
      return true;
    }
    this.pos = save;
    return false;
  }

  expect(ch: string, what: string): void {
    if (!this.accept(ch)) throw new SipParseError(`Expected '${ch}' in ${what}`);
  }

  /** Reads a run of characters from `table`; empty when none. */
  take(table: Uint8Array): string {
    const start = this.pos;
    while (this.pos < this.text.length && isIn(table, this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  token(what: string): string {
    const t = this.take(TOKEN);
    if (t.length === 0) throw new SipParseError(`Expected a token in ${what}`);
    return t;
  }

  /** quoted-string with quoted-pair escapes (RFC 3261 section 25.1); returns the unescaped text. */
  quoted(what: string): string {
    if (this.text[this.pos] !== '"') throw new SipParseError(`Expected a quoted string in ${what}`);
    this.pos++;
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch === '\\') {
        // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): CR and LF may not be escaped.
        const next = this.text[this.pos + 1];
        if (next === undefined || next === '\r' || next === '\n' || next.charCodeAt(0) > 0x7f) {
          throw new SipParseError(`Bad escape in quoted string in ${what}`);
        }
        out += next;
        this.pos += 2;
        continue;
      }
      out += ch;
      this.pos++;
    }
    throw new SipParseError(`Unterminated quoted string in ${what}`);
  }

  /** Everything up to (not including) the first character in `stops`, or to the end. */
  until(stops: string): string {
    const start = this.pos;
    while (this.pos < this.text.length && !stops.includes(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  rest(): string {
    const r = this.text.slice(this.pos);
    this.pos = this.text.length;
    return r;
  }
}

/** Quotes a display name or parameter value, escaping '"' and '\' as quoted-pairs. */
export function quote(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** gen-value = token / host / quoted-string (RFC 3261 section 25.1, generic-param). */
const PARAM_VALUE = charClass("-.!%*_+`'~[]:");

/** Header parameters, names lower-cased (they compare case-insensitively); a value-less param maps to null. */
export type Params = Map<string, string | null>;

/**
 * Reads `*( SEMI generic-param )`. Quoted values keep their quotes so that they serialise back
 * unchanged; use `unquoteParam` to read them.
 */
export function readParams(sc: Scanner, what: string): Params {
  const params: Params = new Map();
  while (sc.accept(';')) {
    const name = sc.token(`a parameter name in ${what}`).toLowerCase();
    let value: string | null = null;
    if (sc.accept('=')) {
      if (sc.peek() === '"') {
        const start = sc.pos;
        sc.quoted(what);
        value = sc.text.slice(start, sc.pos);
      } else {
        value = sc.take(PARAM_VALUE);
        if (value.length === 0) throw new SipParseError(`Empty value for parameter '${name}' in ${what}`);
      }
    }
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

export function formatParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}

export function unquoteParam(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}
