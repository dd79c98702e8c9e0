/**
 * WCTP: the HTTP body decoded (XML or form-encoded, declared charsets) and parsed. Refusal: a WctpError
 * other than 604, which is the code for our own failure.
 */
import { decodeBody } from '../../../src/protocols/wctp/body.ts';
import { parseWctp } from '../../../src/protocols/wctp/parse.ts';
import { WctpError } from '../../../src/protocols/wctp/wctp-error.ts';
import { generatedOrMutated, tokenSoup } from '../mutate.ts';
import { type FuzzOutcome, type FuzzTarget, promise } from '../target.ts';
import { filesOf } from './fixtures.ts';

const seeds = filesOf('test/fixtures/wctp', ['.xml']);
// biome-ignore format: one token a line would hide the list
const TOKENS = ['<', '>', '&', '"', "'", '/>', '</', '<!--', '-->', ']]>', '<![CDATA[', '&#0;', '&#xD800;', '&amp;',
  '\u0000', '=', ' ', 'wctp-', '<!DOCTYPE x [', '<!ENTITY a "aaaa">', '&lol;', '&a;', '<?xml version="1.0"?>',
  'encoding="UTF-16"', '<wctp-Operation wctpVersion="wctp-dtd-v1r3">', '<wctp-SubmitRequest>', 'xml=', '%3C', '%', '+'];
const CONTENT_TYPES = [
  undefined,
  'text/xml',
  'application/x-www-form-urlencoded',
  'text/xml; charset=bogus',
  'text/xml; charset=iso-8859-1',
  'application/x-www-form-urlencoded; charset=utf-16',
];

function generate(next: () => number): Buffer {
  const xml = Buffer.concat([
    Buffer.from('<?xml version="1.0"?><wctp-Operation>'),
    tokenSoup(TOKENS, 40, next),
  ]);
  return next() < 0.2 ? Buffer.from(`xml=${encodeURIComponent(xml.toString('latin1'))}`) : xml;
}

function parse(input: Buffer, contentType: string | undefined): FuzzOutcome {
  try {
    parseWctp(decodeBody(input, contentType));
    return 'accepted';
  } catch (err) {
    if (!(err instanceof WctpError)) throw err;
    promise(err.code !== 604, `604 (our own failure): ${err.message}`);
    return 'refused';
  }
}

export const wctp: FuzzTarget = {
  name: 'wctp',
  input: (_i, next) => generatedOrMutated(seeds, TOKENS, generate, next),
  check(input) {
    // The content type follows from the input, so a replay decodes it the same way.
    const outcome = parse(input, 'text/xml');
    parse(input, CONTENT_TYPES[input.length % CONTENT_TYPES.length]);
    return outcome;
  },
};
