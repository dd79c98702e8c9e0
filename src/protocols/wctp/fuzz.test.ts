import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/support/seeded-random.ts';
import { decodeBody } from './body.ts';
import { parseWctp } from './parse.ts';
import { WctpError } from './wctp-error.ts';

// Mutation fuzzing over our own fixtures: every input must either parse or throw a WctpError that
// is not 604 (604 means our own code failed). A fixed seed keeps failures reproducible.
const FIXTURES = new URL('../../../test/fixtures/wctp/', import.meta.url);
const seeds = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.xml'))
  .map((name) => readFileSync(new URL(name, FIXTURES), 'utf8'));

const SNIPPETS = [
  '<',
  '>',
  '&',
  '"',
  "'",
  '/>',
  '</',
  '<!--',
  ']]>',
  '<![CDATA[',
  '&#0;',
  '&#xD800;',
  '\u0000',
  '=',
  ' ',
  'wctp-',
  '<!DOCTYPE x [',
  '&lol;',
];

function mutate(text: string, random: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (out.length + 1));
    const choice = random();
    if (choice < 0.3) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 20));
    else if (choice < 0.6)
      out = out.slice(0, at) + SNIPPETS[Math.floor(random() * SNIPPETS.length)] + out.slice(at);
    else if (choice < 0.8) out = out.slice(0, at);
    else out = out.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x3000)) + out.slice(at + 1);
  }
  return out;
}

function outcome(run: () => unknown): 'ok' | number {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof WctpError)) throw error;
    return error.code;
  }
}

describe('fuzz: parseWctp and decodeBody throw nothing but WctpError', () => {
  it('mutated fixtures', () => {
    const random = seededRandom(20250309);
    const codes = new Map<string | number, number>();
    for (let i = 0; i < 4000; i++) {
      const input = mutate(seeds[i % seeds.length]!, random);
      const result = outcome(() => parseWctp(input));
      expect(result, input).not.toBe(604);
      codes.set(result, (codes.get(result) ?? 0) + 1);
    }
    // Both paths were exercised: some mutants still parse, some are refused.
    expect(codes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(codes.get(301) ?? 0).toBeGreaterThan(0);
  });

  it('random bytes through decodeBody then parseWctp', () => {
    const random = seededRandom(7781);
    const types = [undefined, 'text/xml', 'application/x-www-form-urlencoded', 'text/xml; charset=bogus'];
    for (let i = 0; i < 1500; i++) {
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)),
      );
      const contentType = types[i % types.length];
      const result = outcome(() => parseWctp(decodeBody(bytes, contentType)));
      expect(result).not.toBe(604);
    }
  });

  it('form-encoded mutants', () => {
    const random = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const body = `xml=${encodeURIComponent(mutate(seeds[i % seeds.length]!, random))}`;
      const mangled = mutate(body, random);
      const result = outcome(() => parseWctp(decodeBody(mangled, 'application/x-www-form-urlencoded')));
      expect(result).not.toBe(604);
    }
  });
});
