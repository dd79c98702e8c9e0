import { describe, expect, it } from 'vitest';
import { buildErrorResponse, buildFailureResponse, failureFromError } from './failure-response.ts';
import { parseWctp } from './parse.ts';
import { WctpError } from './wctp-error.ts';

const options = { gatewayID: 'switchboard.stmary.example', maxNumRecips: 50 };
const failure = { kind: 'failure' as const, code: 403, text: 'Invalid recipientID' };

function wrapperOf(xml: string): string {
  return xml.match(/<wctp-Operation[^>]*>\s*<(wctp-[A-Za-z]+)/)![1]!;
}

describe('failure answers use the element each operation expects', () => {
  it.each([
    ['SubmitRequest', 'wctp-Confirmation'],
    ['StatusInfo', 'wctp-Confirmation'],
    ['MessageReply', 'wctp-Confirmation'],
    ['SubmitClientMessage', 'wctp-SubmitClientResponse'],
    ['ClientQuery', 'wctp-ClientQueryResponse'],
    ['PollForMessages', 'wctp-PollResponse'],
    ['VersionQuery', 'wctp-VersionResponse'],
    ['SendMsgMulti', 'wctp-SendMsgMultiResponse'],
    ['LookupSubscriber', 'wctp-Confirmation'],
  ] as const)('%s → %s', (operation, wrapper) => {
    const xml = buildFailureResponse(failure, operation, options);
    expect(wrapperOf(xml)).toBe(wrapper);
    expect(JSON.stringify(parseWctp(xml))).toContain('"code":403');
  });

  it('answers unreadable input with a Confirmation', () => {
    const xml = buildFailureResponse(failure, undefined, options);
    expect(parseWctp(xml)).toMatchObject({ operation: 'Confirmation', result: failure });
  });

  it('answers a parsed LookupSubscriber with a LookupResponse naming its messageID and recipient', () => {
    const request = parseWctp(`<wctp-Operation wctpVersion="1.3" wctpToken="t9"><wctp-LookupSubscriber>
      <wctp-Originator senderID="nc"/><wctp-LookupMessageControl messageID="L-1"/><wctp-Recipient recipientID="7781"/>
      </wctp-LookupSubscriber></wctp-Operation>`);
    const xml = buildFailureResponse(failure, request, options);
    expect(parseWctp(xml)).toMatchObject({
      operation: 'LookupResponse',
      wctpToken: 't9',
      responseToMessageID: 'L-1',
      originator: { senderID: 'switchboard.stmary.example' },
      recipient: { recipientID: '7781' },
      result: failure,
    });
  });

  it('turns a WctpError into a failure: table name as errorText, its words as detail', () => {
    const error = new WctpError(302, 'wctp-SubmitClientHeader has no wctp-Recipient', 'SubmitClientMessage');
    expect(failureFromError(error)).toEqual({
      kind: 'failure',
      code: 302,
      text: 'XML validation error',
      detail: 'wctp-SubmitClientHeader has no wctp-Recipient',
    });
    expect(parseWctp(buildErrorResponse(error, options))).toMatchObject({
      operation: 'SubmitClientResponse',
      result: { kind: 'failure', code: 302 },
    });
  });
});
