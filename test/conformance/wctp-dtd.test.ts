/**
 * Every document the WCTP builders write must be valid against the published WCTP 1.3 DTD, checked
 * offline with libxml2's xmllint (Debian libxml2-utils). Needs ../shared (the DTD is not copied into
 * this repository) and xmllint; skipped, loudly, without them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildClientQuery,
  buildClientQueryResponse,
  buildConfirmation,
  buildDeviceLocation,
  buildDeviceLocationResponse,
  buildErrorResponse,
  buildFailureResponse,
  buildLookupResponse,
  buildLookupSubscriber,
  buildMessageReply,
  buildPollForMessages,
  buildPollResponse,
  buildReturnToSvc,
  buildSendMsgMulti,
  buildSendMsgMultiResponse,
  buildStatusInfo,
  buildSubmitClientMessage,
  buildSubmitClientResponse,
  buildSubmitRequest,
  buildVersionQuery,
  buildVersionResponse,
  buildWctp,
  parseWctp,
  type StatusInfoInput,
  WCTP_DTD_SUPPORT,
  WctpError,
  type WctpRequest,
  wctpFailure,
  wctpSuccess,
} from '../../src/protocols/wctp/index.ts';

const SHARED = fileURLToPath(new URL('../../../shared/specs/wctp/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/wctp/', import.meta.url));
const DTD = `${SHARED}dtd/wctp-dtd-v1r3.dtd`;
const haveXmllint = spawnSync('xmllint', ['--version']).status === 0;
const ready = haveXmllint && existsSync(DTD);
if (!ready) {
  console.warn(
    `SKIPPED: WCTP DTD validation needs xmllint (${haveXmllint ? 'found' : 'missing'}) and ${DTD}`,
  );
}

const workDir = ready ? mkdtempSync(join(tmpdir(), 'wctp-dtd-')) : '';
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Validates documents against the 1.3 DTD; fails with xmllint's own words and the document. */
function expectValid(documents: Record<string, string>): void {
  const files = Object.entries(documents).map(([name, xml]) => {
    const file = join(workDir, `${name.replace(/[^\w.-]/g, '_')}.xml`);
    writeFileSync(file, xml);
    return file;
  });
  const run = spawnSync('xmllint', ['--nonet', '--noout', '--dtdvalid', DTD, ...files], { encoding: 'utf8' });
  if (run.status !== 0) {
    // Every file draws a "failed to load external entity" warning (--nonet); look for real errors.
    const errorLines = run.stderr.split('\n').filter((line) => /error|does not validate/.test(line));
    const firstBad = files.find((f) => errorLines.some((line) => line.includes(f)));
    const shown = firstBad ? `\n--- ${firstBad}\n${readFileSync(firstBad, 'utf8')}` : '';
    expect.fail(`xmllint rejected a built document:\n${errorLines.join('\n')}${shown}`);
  }
}

const originator = { senderID: 'switchboard@stmary.example', securityCode: 'pw', miscInfo: 'info' };
const recipient = { recipientID: '7781', authorizationCode: 'a1' };
const fullControl = {
  messageID: 'SB-1',
  transactionID: 'T-1',
  sendResponsesToID: 'https://switchboard.stmary.example/wctp',
  allowResponse: true,
  notifyWhenQueued: true,
  notifyWhenDelivered: true,
  notifyWhenRead: false,
  deliveryPriority: 'LOW' as const,
  deliveryAfter: '2025-01-01T00:00:00',
  deliveryBefore: '2025-01-02T00:00:00',
  preformatted: true,
  allowTruncation: false,
};
const header = {
  responseToMessageID: 'NC-1',
  responseTimestamp: '2025-01-01T00:00:01',
  respondingToTimestamp: '2025-01-01T00:00:00',
  onBehalfOfRecipientID: '7781',
  originator,
  messageControl: fullControl,
  recipient,
};
const payloads = {
  alpha: { kind: 'alphanumeric' as const, text: 'Rm 4117 <B> & "C"' },
  mcr: {
    kind: 'multipleChoice' as const,
    messageText: 'Bed exit',
    choices: [{ text: 'Accept' }, { text: 'Escalate', replyText: 'ESC' }],
  },
  binary: { kind: 'transparent' as const, type: 'FLEXSuite' as const, bytes: Uint8Array.from([0, 1, 255]) },
};
const statuses: StatusInfoInput['status'][] = [
  { kind: 'notification', type: 'QUEUED' },
  { kind: 'notification', type: 'DELIVERED' },
  { kind: 'notification', type: 'READ' },
  { kind: 'failure', code: 500, text: 'Message timed out', detail: 'no answer' },
];

describe.skipIf(!ready)('WCTP builders validate against wctp-dtd-v1r3.dtd', () => {
  it('gateway answers', () => {
    const lookupFrame = { responseToMessageID: 'L-1', transactionID: 'LT', originator, recipient };
    expectValid({
      confirmationSuccess: buildConfirmation(wctpSuccess(200, 'queued'), { wctpToken: 'tok' }),
      confirmationFailure: buildConfirmation(wctpFailure(403, 'no such pager')),
      submitClientSuccess: buildSubmitClientResponse({ ...wctpSuccess(), trackingNumber: 'TRK-1' }),
      submitClientFailure: buildSubmitClientResponse(wctpFailure(401)),
      clientQueryNone: buildClientQueryResponse({ minNextPollInterval: 30, result: { kind: 'none' } }),
      clientQueryFailure: buildClientQueryResponse({ result: wctpFailure(504) }),
      clientQueryMessages: buildClientQueryResponse({
        result: {
          kind: 'messages',
          messages: [
            ...statuses.map((status) => ({ kind: 'status' as const, originator, recipient, status })),
            {
              kind: 'reply',
              mcrMessageReply: true,
              responseTimestamp: '2025-01-01T00:00:09',
              originator,
              recipient,
              payload: payloads.mcr,
            },
          ],
        },
      }),
      pollNone: buildPollResponse({ result: { kind: 'none' } }),
      pollFailure: buildPollResponse({ result: wctpFailure(600) }),
      pollMessages: buildPollResponse({
        minNextPollInterval: 5,
        result: {
          kind: 'messages',
          messages: [
            { sequenceNo: '1', message: { operation: 'StatusInfo', ...header, status: statuses[1]! } },
            { sequenceNo: '2', message: { operation: 'MessageReply', ...header, payload: payloads.alpha } },
            {
              sequenceNo: '3',
              message: {
                operation: 'SubmitRequest',
                originator,
                messageControl: fullControl,
                recipient,
                payload: payloads.binary,
              },
            },
            {
              sequenceNo: '4',
              message: {
                operation: 'LookupResponse',
                ...lookupFrame,
                result: { kind: 'lookup', maxMessageLength: 160 },
              },
            },
          ],
        },
      }),
      versionDtds: buildVersionResponse({
        responder: 'switchboard',
        dateTimeOfRsp: '2025-01-01T00:00:00',
        inquirer: 'tele5',
        dateTimeOfReq: '2025-01-01T00:00:00',
        invalidAfter: '2026-01-01T00:00:00',
        contactInfo: { email: 'a@b.example', phone: '+1 555', www: 'https://x.example', info: 'i' },
        result: {
          kind: 'dtds',
          dtds: [
            {
              dtdName: 'wctp-dtd-v1r3',
              verToken: 'wctp-dtd-v1r3',
              supportType: 'Supported',
              exceptions: false,
            },
            {
              dtdName: 'wctpv1-0',
              supportType: 'Deprecated',
              exceptions: true,
              supportUntil: '2026-01-01',
              replacement: 'wctp-dtd-v1r3',
            },
          ],
        },
      }),
      versionOurs: buildVersionResponse({
        responder: 'switchboard',
        result: { kind: 'dtds', dtds: WCTP_DTD_SUPPORT },
      }),
      versionFailure: buildVersionResponse({ responder: 'switchboard', result: wctpFailure(604) }),
      lookupData: buildLookupResponse({
        ...lookupFrame,
        result: { kind: 'lookup', maxMessageLength: 240, mcrSupported: true, canRespond: false },
      }),
      lookupFailure: buildLookupResponse({ ...lookupFrame, result: wctpFailure(403) }),
      location: buildDeviceLocationResponse({
        ...lookupFrame,
        result: {
          kind: 'location',
          status: 'ok',
          fixType: 'precise',
          fixTimeStamp: '2025-01-01T00:00:00',
          longitude: '-90.2',
          latitude: '38.6',
          altitude: '150',
        },
      }),
      locationFailure: buildDeviceLocationResponse({ ...lookupFrame, result: wctpFailure(400) }),
      multiSuccess: buildSendMsgMultiResponse({
        maxNumRecips: 50,
        numValidRecips: 1,
        numInvalidRecips: 2,
        result: wctpSuccess(),
        failedRecipients: [
          { recipientID: '1', code: 403, text: 'Invalid recipientID' },
          { recipientID: '2', code: 404 },
        ],
      }),
      multiFailure: buildSendMsgMultiResponse({ maxNumRecips: 50, result: wctpFailure(431) }),
    });
  });

  it('pushes we send: StatusInfo in every state, MessageReply, ReturnToSvc', () => {
    const docs: Record<string, string> = {};
    statuses.forEach((status, i) => {
      docs[`status${i}`] = buildStatusInfo({ ...header, status });
    });
    docs.statusMinimal = buildStatusInfo({
      responseToMessageID: 'NC-1',
      originator: { senderID: 'sb' },
      messageControl: { messageID: 'SB-2' },
      recipient: { recipientID: 'nc' },
      status: statuses[0]!,
    });
    for (const [name, payload] of Object.entries(payloads)) {
      docs[`reply-${name}`] = buildMessageReply({ ...header, mcrMessageReply: name === 'mcr', payload });
    }
    docs.returnToSvc = buildReturnToSvc('7781@switchboard.stmary.example');
    expectValid(docs);
  });

  it('client requests we send to a paging carrier', () => {
    expectValid({
      submitFull: buildSubmitRequest({
        submitTimestamp: '2025-01-01T00:00:00',
        originator,
        messageControl: fullControl,
        recipient,
        payload: payloads.mcr,
      }),
      submitMinimal: buildSubmitRequest({
        originator: { senderID: 'sb' },
        messageControl: { messageID: 'm' },
        recipient: { recipientID: 'r' },
        payload: payloads.alpha,
      }),
      submitClient: buildSubmitClientMessage({
        originator: { senderID: 'desk', miscInfo: 'pw', securityCode: 'not written' },
        messageControl: { notifyWhenDelivered: true },
        recipient,
        payload: payloads.binary,
      }),
      clientQuery: buildClientQuery({ senderID: 's', recipientID: 'r', trackingNumber: 't' }),
      poll: buildPollForMessages({
        pollerID: 'sb',
        securityCode: 'pw',
        maxMessagesInBatch: 10,
        received: [
          { sequenceNo: '1', result: wctpSuccess() },
          { sequenceNo: '2', result: wctpFailure(604) },
        ],
      }),
      version: buildVersionQuery({ inquirer: 'sb', dateTime: '2025-01-01T00:00:00' }),
      lookup: buildLookupSubscriber({
        originator,
        messageControl: { messageID: 'L', transactionID: 'T' },
        recipient,
      }),
      location: buildDeviceLocation({
        originator,
        messageControl: { messageID: 'W', fixType: 'approximate' },
        recipient,
      }),
      multi: buildSendMsgMulti({
        originator,
        messageControl: { ...fullControl, allRecipsRequired: true },
        recipients: [recipient, { recipientID: '7782' }],
        payload: payloads.alpha,
      }),
    });
  });
});

/** A plausible success answer from our gateway to each request, and a failure answer. */
function answersFor(request: WctpRequest): string[] {
  const options = { gatewayID: 'switchboard.stmary.example', maxNumRecips: 50 };
  const failure = buildFailureResponse(wctpFailure(403), request, options);
  const token = request.wctpToken ? { wctpToken: request.wctpToken } : {};
  switch (request.operation) {
    case 'SubmitClientMessage':
      return [buildSubmitClientResponse({ ...wctpSuccess(), trackingNumber: 'TRK-9' }, token), failure];
    case 'ClientQuery':
      return [buildClientQueryResponse({ result: { kind: 'none' } }, token), failure];
    case 'PollForMessages':
      return [buildPollResponse({ result: { kind: 'none' } }, token), failure];
    case 'VersionQuery':
      return [
        buildVersionResponse({
          responder: options.gatewayID,
          inquirer: request.inquirer,
          result: { kind: 'dtds', dtds: [{ dtdName: 'wctp-dtd-v1r3' }] },
        }),
        failure,
      ];
    case 'LookupSubscriber':
      return [
        buildLookupResponse({
          responseToMessageID: request.messageControl.messageID,
          originator: { senderID: options.gatewayID },
          recipient: request.recipient,
          result: { kind: 'lookup', maxMessageLength: 240 },
        }),
        failure,
      ];
    case 'DeviceLocation':
      return [
        buildDeviceLocationResponse({
          responseToMessageID: request.messageControl.messageID,
          originator: { senderID: options.gatewayID },
          recipient: request.recipient,
          result: { kind: 'location', status: 'nolonglat', fixType: request.messageControl.fixType },
        }),
        failure,
      ];
    case 'SendMsgMulti':
      return [
        buildSendMsgMultiResponse({
          maxNumRecips: 50,
          numValidRecips: request.recipients.length,
          result: wctpSuccess(),
        }),
        failure,
      ];
    default:
      // SubmitRequest, and the carrier's answers and pushes, which we acknowledge.
      return [buildConfirmation(wctpSuccess(), token), failure];
  }
}

function samples(): Record<string, string> {
  const all: Record<string, string> = {};
  for (const dir of [`${SHARED}examples/`, `${SHARED}real-samples/`, FIXTURES, `${FIXTURES}bad/`]) {
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.xml')))
      all[`${dir}${name}`] = readFileSync(dir + name, 'utf8');
  }
  return all;
}

describe.skipIf(!ready)('answers to every sample validate against wctp-dtd-v1r3.dtd', () => {
  it('a success and a failure answer for each readable sample, an error answer for each refused one', () => {
    const docs: Record<string, string> = {};
    let answered = 0;
    let refused = 0;
    for (const [path, xml] of Object.entries(samples())) {
      const key = path.split('/').slice(-2).join('-');
      try {
        const request = parseWctp(xml);
        answersFor(request).forEach((answer, i) => {
          docs[`${key}-answer${i}`] = answer;
        });
        docs[`${key}-rebuilt`] = buildWctp(request);
        answered++;
      } catch (error) {
        if (!(error instanceof WctpError)) throw error;
        docs[`${key}-error`] = buildErrorResponse(error, { gatewayID: 'switchboard', maxNumRecips: 50 });
        refused++;
      }
    }
    expect(answered).toBeGreaterThan(40);
    expect(refused).toBeGreaterThan(10);
    expectValid(docs);
  });

  it('the checker itself rejects an invalid document (children out of DTD order)', () => {
    const bad = readFileSync(`${SHARED}real-samples/php-SubmitRequest.xml`, 'utf8');
    expect(() => expectValid({ knownInvalid: bad })).toThrow(
      /wctp-SubmitHeader content does not follow the DTD/,
    );
  });
});
