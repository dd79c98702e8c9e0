/**
 * The right failure document for a request. WCTP answers each operation with its own element
 * (wctp-SubmitClientResponse for SubmitClientMessage, wctp-PollResponse for PollForMessages, ...),
 * each of which can hold a wctp-Failure; everything else, and anything we could not even read, is
 * answered with wctp-Confirmation. The HTTP status stays 200 either way.
 */
import { type BuildOptions, wctpDocument, wctpFailure } from './build.ts';
import type { OperationName, WctpRequest } from './operations.ts';
import type { WctpFailure } from './types.ts';
import type { WctpError } from './wctp-error.ts';
import {
  writeClientQueryResponse,
  writeConfirmation,
  writeDeviceLocationResponse,
  writeLookupResponse,
  writePollResponse,
  writeSendMsgMultiResponse,
  writeSubmitClientResponse,
  writeVersionResponse,
} from './write-operations.ts';
import type { XmlNode } from './xml-writer.ts';

export interface FailureResponseOptions extends BuildOptions {
  /** This gateway's WCTP identity: VersionResponse@responder, LookupResponse's wctp-Originator. */
  gatewayID: string;
  /** This gateway's limit on SendMsgMulti recipients (SendMsgMultiResponse@maxNumRecips is required). */
  maxNumRecips: number;
}

/** The failure a WctpError stands for: the table's name as errorText, the error's own words as text. */
export function failureFromError(error: WctpError): WctpFailure {
  return wctpFailure(error.code, error.text);
}

/** Answers a WctpError thrown by parseWctp or decodeBody, in the element its operation expects. */
export function buildErrorResponse(error: WctpError, options: FailureResponseOptions): string {
  return buildFailureResponse(failureFromError(error), error.operation as OperationName | undefined, options);
}

/**
 * A failure answer to `about`: the parsed request (best: its IDs and wctpToken are echoed), only
 * its operation name (when reading it failed half-way), or nothing (unreadable input).
 */
export function buildFailureResponse(
  failure: WctpFailure,
  about: WctpRequest | OperationName | undefined,
  options: FailureResponseOptions,
): string {
  const request = typeof about === 'object' ? about : undefined;
  const operation = typeof about === 'object' ? about.operation : about;
  const wctpToken = options.wctpToken ?? request?.wctpToken;
  return wctpDocument(failureElement(failure, operation, request, options), wctpToken ? { wctpToken } : {});
}

function failureElement(
  failure: WctpFailure,
  operation: OperationName | undefined,
  request: WctpRequest | undefined,
  options: FailureResponseOptions,
): XmlNode {
  switch (operation) {
    case 'SubmitClientMessage':
      return writeSubmitClientResponse(failure);
    case 'ClientQuery':
      return writeClientQueryResponse({ result: failure });
    case 'PollForMessages':
      return writePollResponse({ result: failure });
    case 'VersionQuery':
      return writeVersionResponse({
        responder: options.gatewayID,
        ...(request?.operation === 'VersionQuery' ? { inquirer: request.inquirer } : {}),
        result: failure,
      });
    case 'SendMsgMulti':
      return writeSendMsgMultiResponse({ maxNumRecips: options.maxNumRecips, result: failure });
    case 'LookupSubscriber':
      // LookupResponse needs the looked-up recipient and messageID; without them, a Confirmation.
      if (request?.operation !== 'LookupSubscriber') break;
      return writeLookupResponse({
        responseToMessageID: request.messageControl.messageID,
        ...(request.messageControl.transactionID
          ? { transactionID: request.messageControl.transactionID }
          : {}),
        originator: { senderID: options.gatewayID },
        recipient: { recipientID: request.recipient.recipientID },
        result: failure,
      });
    case 'DeviceLocation':
      if (request?.operation !== 'DeviceLocation') break;
      return writeDeviceLocationResponse({
        responseToMessageID: request.messageControl.messageID,
        ...(request.messageControl.transactionID
          ? { transactionID: request.messageControl.transactionID }
          : {}),
        originator: { senderID: options.gatewayID },
        recipient: { recipientID: request.recipient.recipientID },
        result: failure,
      });
    default:
      break;
  }
  return writeConfirmation(failure);
}
