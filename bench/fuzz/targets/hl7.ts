/** HL7 v2: header, whole message, paths, ACK and reject ACK building, batches. Refusal: Hl7ParseError. */
import { type AckCode, buildAck, buildRejectAck } from '../../../src/protocols/hl7/ack.ts';
import { ackMode } from '../../../src/protocols/hl7/ack-mode.ts';
import { parseBatch } from '../../../src/protocols/hl7/batch.ts';
import { Hl7ParseError } from '../../../src/protocols/hl7/errors.ts';
import { parseHeader } from '../../../src/protocols/hl7/header.ts';
import { Hl7Message } from '../../../src/protocols/hl7/message.ts';
import { generatedOrMutated, tokenSoup } from '../mutate.ts';
import { type FuzzOutcome, type FuzzTarget, promise } from '../target.ts';
import { filesOf } from './fixtures.ts';

const seeds = filesOf('test/fixtures/hl7', ['.hl7']);
// biome-ignore format: one token a line would hide the list
const TOKENS = ['MSH', 'MSH|^~\\&|', 'FHS|', 'BHS|', 'BTS|', 'FTS|', '|', '^', '~', '\\', '&', '#', '\r', '\n', '\r\n',
  '\uFEFF', '\\X', '\\X0D\\', '\\.br\\', '\\F\\', '\\H\\', 'OBX|', 'PID|', 'MSA|', ' ', '8859/1', 'UNICODE UTF-8',
  'ACK', '\\Z', '2.5.1', 'AL', 'NE', 'ORU^R01'];
const PATHS = [
  'MSH-9',
  'MSH-2',
  'PID-3',
  'PID-3(2).1',
  'PID-5.1.2',
  'OBX[2]-5.1',
  'OBX-8',
  'ZAL-2.2',
  'NTE-3',
];
const now = new Date(Date.UTC(2025, 5, 1, 12, 0, 0));

function generate(next: () => number): Buffer {
  const soup = tokenSoup(TOKENS, 40, next);
  return next() < 0.5 ? Buffer.concat([Buffer.from('MSH'), soup]) : soup;
}

function exercise(raw: Buffer | string): FuzzOutcome {
  let header: ReturnType<typeof parseHeader>;
  try {
    header = parseHeader(raw);
  } catch (err) {
    if (!(err instanceof Hl7ParseError)) throw err;
    const reject = Hl7Message.parse(buildRejectAck(raw, err, { controlId: 'R1', now }));
    promise(reject.get('MSA-1') === 'AR', 'a reject ACK says AR');
    promise(reject.header.controlId === 'R1', 'a reject ACK carries its own control id');
    batch(raw);
    return 'refused';
  }
  const message = Hl7Message.parse(raw);
  for (const path of PATHS) {
    const value = message.get(path);
    promise(value === undefined || typeof value === 'string', `${path} reads as text`);
    for (const v of message.getAll(path)) promise(typeof v === 'string', `${path} reads as text`);
  }
  for (const segment of message.segments()) {
    segment.field(3);
    segment.value('1.1');
  }
  JSON.stringify(message.toView());
  ackMode(header);
  for (const code of ['AA', 'AE', 'CR'] as AckCode[]) {
    const ack = Hl7Message.parse(
      buildAck(header, { code, controlId: 'A1', now, text: 'x|y', error: { code: '207', text: 'z^w' } }),
    );
    promise(ack.get('MSA-1') === code, `an ${code} ACK parses back`);
    promise(
      (ack.segments('MSA')[0]!.field(2) ?? '') === (header.mshFields?.[10] ?? ''),
      'MSA-2 echoes MSH-10',
    );
  }
  batch(raw);
  return 'accepted';
}

function batch(raw: Buffer | string): void {
  try {
    parseBatch(raw, {
      onError: (err) => {
        if (!(err instanceof Hl7ParseError)) throw err;
      },
    });
  } catch (err) {
    if (!(err instanceof Hl7ParseError)) throw err;
  }
}

export const hl7: FuzzTarget = {
  name: 'hl7',
  input: (_i, next) => generatedOrMutated(seeds, TOKENS, generate, next),
  check(input) {
    const asBytes = exercise(input);
    exercise(input.toString('latin1'));
    return asBytes;
  },
};
