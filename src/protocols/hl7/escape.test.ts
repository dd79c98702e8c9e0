import { describe, expect, it } from 'vitest';
import { type Delimiters, STANDARD_DELIMITERS } from './delimiters.ts';
import * as hl7 from './escape.ts';

const { escape: escapeText, unescape: unescapeText } = hl7;

const d = STANDARD_DELIMITERS;
const custom: Delimiters = {
  field: '!',
  component: '@',
  repetition: '$',
  escape: '%',
  subcomponent: '*',
  segment: '\r',
};

describe('unescape', () => {
  it('decodes the delimiter escapes of HL7 v2.5 section 2.7.1', () => {
    expect(unescapeText('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f', d)).toBe('a|b^c&d~e\\f');
  });

  it('uses the message’s own escape character and delimiters', () => {
    expect(unescapeText('5mg %T% 10mg %F% max%E%day', custom)).toBe('5mg * 10mg ! max%day');
    // With '%' as escape character, a backslash is ordinary text.
    expect(unescapeText('C:\\T\\x', custom)).toBe('C:\\T\\x');
  });

  it('turns \\.br\\ and \\.sp\\ into line breaks and drops the highlight markers', () => {
    expect(unescapeText('one\\.br\\two\\.sp\\three\\.sp3\\four', d)).toBe('one\ntwo\nthree\n\n\nfour');
    expect(unescapeText('\\H\\STAT\\N\\ call', d)).toBe('STAT call');
  });

  it('caps \\.sp<n>\\ so that a hostile count cannot exhaust memory', () => {
    expect(unescapeText('a\\.sp999999999\\b', d)).toBe(`a${'\n'.repeat(100)}b`);
  });

  it('decodes hexadecimal data as UTF-8 when valid, else as ISO 8859-1', () => {
    expect(unescapeText('O\\XE28099\\BRIEN', d)).toBe('O\u2019BRIEN');
    expect(unescapeText('\\X41\\\\X42\\C', d)).toBe('ABC');
    expect(unescapeText('caf\\XE9\\', d)).toBe('café');
  });

  it('leaves unknown and malformed sequences as they are instead of failing', () => {
    expect(unescapeText('keep \\Zlocal\\ and \\Cxxyy\\ and \\.in+4\\', d)).toBe(
      'keep \\Zlocal\\ and \\Cxxyy\\ and \\.in+4\\',
    );
    expect(unescapeText('odd \\X4\\ hex', d)).toBe('odd \\X4\\ hex');
    expect(unescapeText('lone \\ slash', d)).toBe('lone \\ slash');
    expect(unescapeText('trailing \\', d)).toBe('trailing \\');
    expect(unescapeText('\\\\F\\', d)).toBe('\\|');
    expect(unescapeText('\\P\\', d)).toBe('\\P\\');
  });

  it('decodes \\P\\ when the sender declared a truncation character', () => {
    expect(unescapeText('a\\P\\b', { ...d, truncation: '#' })).toBe('a#b');
  });

  it('returns the same string when there is nothing to decode', () => {
    const text = 'plain text';
    expect(unescapeText(text, d)).toBe(text);
  });
});

describe('escape', () => {
  it('escapes every delimiter and the escape character itself', () => {
    expect(escapeText('a|b^c&d~e\\f', d)).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f');
  });

  it('escapes CR and LF so a value cannot end its segment', () => {
    expect(escapeText('line1\r\nline2', d)).toBe('line1\\X0D\\\\X0A\\line2');
  });

  it('escapes the truncation character only when one is declared', () => {
    expect(escapeText('a#b', d)).toBe('a#b');
    expect(escapeText('a#b', { ...d, truncation: '#' })).toBe('a\\P\\b');
  });

  it('round-trips through unescape with standard and custom delimiters', () => {
    const samples = ['', 'plain', 'K+ 6.9 | HH ^ critical & urgent ~ now \\ done', 'a\rb\nc', 'ünïcödé µ'];
    for (const delimiters of [d, custom]) {
      for (const text of samples) expect(unescapeText(escapeText(text, delimiters), delimiters)).toBe(text);
    }
  });
});
