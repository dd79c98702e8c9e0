import type { OperationName, WctpOperation, WctpRequest } from './operations.ts';
import {
  readClientQuery,
  readDeviceLocation,
  readLookupSubscriber,
  readPollForMessages,
  readSendMsgMulti,
  readSubmitClientMessage,
  readSubmitRequest,
  readVersionQuery,
} from './parse-requests.ts';
import {
  readClientQueryResponse,
  readConfirmation,
  readDeviceLocationResponse,
  readLookupResponse,
  readMessageReply,
  readPollResponse,
  readReturnToSvc,
  readSendMsgMultiResponse,
  readStatusInfo,
  readSubmitClientResponse,
  readVersionResponse,
} from './parse-responses.ts';
import { attribute, type ReadContext } from './read-elements.ts';
import { normaliseVersion } from './version.ts';
import { WctpError } from './wctp-error.ts';
import { type ReadXmlOptions, readXml, type XmlElement } from './xml-reader.ts';

/** Options for parseWctp. */
export type ParseOptions = ReadXmlOptions;

type Reader = (ctx: ReadContext, el: XmlElement) => WctpOperation;

/** The WCTP 1.3 operations by lower-cased element name, with their DTD spelling. */
const READERS: ReadonlyMap<string, { operation: OperationName; read: Reader }> = new Map(
  (
    [
      ['SubmitRequest', readSubmitRequest],
      ['SubmitClientMessage', readSubmitClientMessage],
      ['ClientQuery', readClientQuery],
      ['PollForMessages', readPollForMessages],
      ['VersionQuery', readVersionQuery],
      ['LookupSubscriber', readLookupSubscriber],
      ['DeviceLocation', readDeviceLocation],
      ['SendMsgMulti', readSendMsgMulti],
      ['Confirmation', readConfirmation],
      ['StatusInfo', readStatusInfo],
      ['MessageReply', readMessageReply],
      ['SubmitClientResponse', readSubmitClientResponse],
      ['ClientQueryResponse', readClientQueryResponse],
      ['PollResponse', readPollResponse],
      ['VersionResponse', readVersionResponse],
      ['LookupResponse', readLookupResponse],
      ['DeviceLocationResponse', readDeviceLocationResponse],
      ['SendMsgMultiResponse', readSendMsgMultiResponse],
      ['ReturnToSvc', readReturnToSvc],
    ] as const
  ).map(([operation, read]) => [`wctp-${operation.toLowerCase()}`, { operation, read: read as Reader }]),
);

/**
 * Parses a WCTP document (any release 1.0 to 1.3, any operation of the 1.3 DTD) into a typed
 * operation. Use decodeBody first when you hold an HTTP body.
 *
 * Throws only WctpError: 301 when the text is not well-formed XML, 302 when an element or attribute
 * is missing or wrong, 303 for an unknown wctpVersion, 300 for an operation we do not implement
 * (e.g. WCTP 1.0's wctp-BindDomainAlias), 405/406 for bad delivery times.
 */
export function parseWctp(xml: string, options: ParseOptions = {}): WctpRequest {
  try {
    return parseDocument(xml, options);
  } catch (error) {
    if (error instanceof WctpError) throw error;
    // A bug of ours must still reach the sender as a WCTP answer, never as a stack trace.
    throw new WctpError(604, 'the gateway failed while reading the document');
  }
}

function parseDocument(xml: string, options: ParseOptions): WctpRequest {
  const root = readXml(xml, options);
  if (root.name !== 'wctp-operation') {
    throw new WctpError(302, 'the root element must be wctp-Operation');
  }
  const elements = root.children;
  if (elements.length !== 1 || root.text.trim() !== '') {
    throw new WctpError(302, `wctp-Operation must hold exactly one operation element`);
  }
  const operationElement = elements[0]!;
  const known = READERS.get(operationElement.name);
  if (!known) {
    const named = /^wctp-[a-z]+$/.test(operationElement.name)
      ? `the ${operationElement.name} operation`
      : 'that operation';
    throw new WctpError(300, `${named} is not supported`);
  }
  const wctpVersion = attribute(root, 'wctpVersion');
  if (wctpVersion === undefined || wctpVersion === '') {
    throw new WctpError(302, 'wctp-Operation has no wctpVersion attribute', known.operation);
  }
  let version: ReturnType<typeof normaliseVersion>;
  try {
    version = normaliseVersion(wctpVersion);
  } catch (error) {
    throw new WctpError((error as WctpError).code, (error as WctpError).text, known.operation);
  }
  const operation = known.read({ operation: known.operation, version }, operationElement);
  const wctpToken = attribute(root, 'wctpToken');
  return wctpToken
    ? { ...operation, version, wctpVersion, wctpToken }
    : ({ ...operation, version, wctpVersion } as WctpRequest);
}
