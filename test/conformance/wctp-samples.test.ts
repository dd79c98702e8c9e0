/**
 * WCTP samples: our own fixtures always; the shared research samples (../shared/specs/wctp) when
 * that folder is present. Every sample must parse (or be refused with the right code) and survive
 * parse → build → parse unchanged.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildWctp,
  parseWctp,
  WCTP_STATUS_CODES,
  WctpError,
  type WctpRequest,
  wctpOutcome,
} from '../../src/protocols/wctp/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/wctp/', import.meta.url));
const SHARED = fileURLToPath(new URL('../../../shared/specs/wctp/', import.meta.url));
const haveShared = existsSync(SHARED);
if (!haveShared)
  console.warn(`SKIPPED: shared WCTP samples not found at ${SHARED}; only our own fixtures run`);

function withoutEnvelope(request: WctpRequest): Record<string, unknown> {
  const { version, wctpVersion, wctpToken, ...operation } = request;
  return operation;
}

function expectRoundTrip(request: WctpRequest): void {
  const rebuilt = parseWctp(buildWctp(request, request.wctpToken ? { wctpToken: request.wctpToken } : {}));
  expect(rebuilt.version).toBe('1.3');
  expect(rebuilt.wctpToken).toBe(request.wctpToken);
  expect(withoutEnvelope(rebuilt)).toEqual(withoutEnvelope(request));
}

const xmlFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.xml'));

describe('our WCTP fixtures (test/fixtures/wctp)', () => {
  for (const name of xmlFiles(FIXTURES)) {
    it(`${name} parses and round-trips`, () => {
      expectRoundTrip(parseWctp(readFileSync(FIXTURES + name, 'utf8')));
    });
  }
});

describe.skipIf(!haveShared)('shared WCTP samples (../shared/specs/wctp)', () => {
  // examples/NN-<Operation>[-variant].<kind>.xml names the operation the file holds, except
  // answers named after their request (01-SubmitRequest.resp-*.xml holds a Confirmation).
  const expectedOperation = (name: string): string => {
    if (/\.resp-(success|failure)\.xml$|generic-ack/.test(name)) return 'Confirmation';
    if (name === '02-SubmitClientMessage.resp.xml') return 'SubmitClientResponse';
    if (/^03-ClientQuery\.resp/.test(name)) return 'ClientQueryResponse';
    return name.replace(/^\d+-/, '').split(/[.-]/)[0]!;
  };

  it('every example parses as the operation its name says, and round-trips', () => {
    const names = xmlFiles(`${SHARED}examples/`);
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      const request = parseWctp(readFileSync(`${SHARED}examples/${name}`, 'utf8'));
      expect(request.operation, name).toBe(expectedOperation(name));
      expectRoundTrip(request);
    }
  });

  it('real-world samples parse leniently (out-of-order header, v1r1.dtd version, token)', () => {
    const dir = `${SHARED}real-samples/`;
    const read = (name: string) => parseWctp(readFileSync(dir + name, 'utf8'));
    expect(read('php-SubmitRequest.xml')).toMatchObject({
      operation: 'SubmitRequest',
      version: '1.3',
      messageControl: { messageID: 'NC-1' },
    });
    expect(read('wustl-sample-response.xml')).toMatchObject({
      operation: 'SubmitClientResponse',
      version: '1.1',
      wctpToken: 'x224',
      result: { kind: 'success', code: 200 },
    });
    expect(read('wustl-sample-request.xml')).toMatchObject({
      operation: 'SubmitClientMessage',
      originator: { miscInfo: 'betapassword' },
      payload: { kind: 'alphanumeric', text: 'This is a test' },
    });
    expect(read('notifius-wctp-gateway_example.wctp.xml')).toMatchObject({
      operation: 'SubmitRequest',
      version: '1.1',
      messageControl: { preformatted: true, notifyWhenDelivered: true },
    });
    for (const name of ['php-ClientQuery.xml', 'php-VersionQuery.xml']) expectRoundTrip(read(name));
  });

  it('the deliberately non-conformant ClientQuery is refused with 302', () => {
    try {
      parseWctp(readFileSync(`${SHARED}real-samples/bad-nonconformant-clientquery.xml`, 'utf8'));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WctpError);
      expect((error as WctpError).code).toBe(302);
    }
  });

  it('our status table lists exactly the codes of ERROR-CODES.md, with the same retry class', () => {
    const table = readFileSync(`${SHARED}ERROR-CODES.md`, 'utf8');
    const documented = new Set<number>();
    for (const line of table.split('\n')) {
      const cell = /^\|\s*([\d\s/]+?)\s*\|/.exec(line)?.[1];
      if (!cell) continue;
      for (const code of cell.split('/')) documented.add(Number(code.trim()));
    }
    expect([...documented].sort()).toEqual(WCTP_STATUS_CODES.map((row) => row.code));
    // ERROR-CODES.md: "600 series = temporary, retry later"; 500 series permanent.
    for (const code of documented) {
      if (code >= 600) expect(wctpOutcome(code)).toBe('temporary');
      if (code >= 500 && code < 600) expect(wctpOutcome(code)).toBe('permanent');
    }
  });
});
