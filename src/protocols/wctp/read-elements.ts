/**
 * Readers for the elements WCTP operations share. Lenient where real senders differ (child order,
 * name case, `True`/`yes` for booleans, surrounding spaces), strict where a guess could misroute a
 * clinical message: a missing required element or attribute, or a second wctp-Recipient where the
 * DTD allows one, is WctpError 302 rather than a silent default.
 */
import { parseWctpTimestamp } from './timestamp.ts';
import type {
  Choice,
  DeliveryOptions,
  MessageControl,
  Notification,
  Originator,
  Payload,
  Recipient,
  WctpFailure,
  WctpResult,
  WctpSuccess,
} from './types.ts';
import type { WctpVersion } from './version.ts';
import { WctpError } from './wctp-error.ts';
import { childrenNamed, type XmlElement } from './xml-reader.ts';

/** What is being read, for error texts and version-dependent defaults. */
export interface ReadContext {
  readonly operation: string;
  readonly version: WctpVersion;
}

export function invalid(ctx: ReadContext, text: string): WctpError {
  return new WctpError(302, text, ctx.operation);
}

/** The single child named `name` (a DTD name such as `wctp-Recipient`), in any position. */
export function requiredChild(
  ctx: ReadContext,
  parent: XmlElement,
  parentName: string,
  name: string,
): XmlElement {
  const found = optionalChild(ctx, parent, parentName, name);
  if (!found) throw invalid(ctx, `${parentName} has no ${name}`);
  return found;
}

export function optionalChild(
  ctx: ReadContext,
  parent: XmlElement,
  parentName: string,
  name: string,
): XmlElement | undefined {
  const found = childrenNamed(parent, name.toLowerCase());
  if (found.length > 1) throw invalid(ctx, `${parentName} has more than one ${name}`);
  return found[0];
}

/** Exactly one child among `names`; returns its DTD name and the element. */
export function oneOf<N extends string>(
  ctx: ReadContext,
  parent: XmlElement,
  parentName: string,
  names: readonly N[],
): [N, XmlElement] {
  const found: [N, XmlElement][] = [];
  for (const name of names) {
    for (const el of childrenNamed(parent, name.toLowerCase())) found.push([name, el]);
  }
  if (found.length !== 1) {
    const what = found.length === 0 ? 'none' : 'more than one';
    throw invalid(ctx, `${parentName} must hold one of ${names.join(', ')} (it holds ${what})`);
  }
  return found[0]!;
}

/** Every child named `name` (a DTD name), in document order. */
export function childrenOf(parent: XmlElement, name: string): XmlElement[] {
  return childrenNamed(parent, name.toLowerCase());
}

export function attribute(element: XmlElement, name: string): string | undefined {
  return element.attributes.get(name.toLowerCase())?.trim();
}

export function requiredAttribute(
  ctx: ReadContext,
  element: XmlElement,
  elementName: string,
  name: string,
): string {
  const value = attribute(element, name);
  if (value === undefined) throw invalid(ctx, `${elementName} has no ${name} attribute`);
  if (value === '') throw invalid(ctx, `${elementName}@${name} is empty`);
  return value;
}

const TRUE = new Set(['true', 'yes', '1']);
const FALSE = new Set(['false', 'no', '0']);

/** A DTD `( true | false )` attribute; also reads `True`, `yes`, `1` and their opposites. */
export function booleanAttribute(
  ctx: ReadContext,
  element: XmlElement,
  elementName: string,
  name: string,
  fallback: boolean,
): boolean {
  const value = attribute(element, name)?.toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw invalid(ctx, `${elementName}@${name} must be true or false`);
}

export function optionalBooleanAttribute(
  ctx: ReadContext,
  element: XmlElement,
  elementName: string,
  name: string,
): boolean | undefined {
  if (attribute(element, name) === undefined) return undefined;
  return booleanAttribute(ctx, element, elementName, name, false);
}

/** A DTD enumeration, matched case-insensitively and returned in the DTD's spelling. */
export function enumAttribute<T extends string>(
  ctx: ReadContext,
  element: XmlElement,
  elementName: string,
  name: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  const value = attribute(element, name);
  if (value === undefined || value === '') {
    if (fallback !== undefined) return fallback;
    throw invalid(ctx, `${elementName} has no ${name} attribute`);
  }
  const match = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (match === undefined) throw invalid(ctx, `${elementName}@${name} must be one of ${allowed.join(', ')}`);
  return match;
}

/** A non-negative whole number held in a CDATA attribute (counts, codes, intervals). */
export function integerAttribute(
  ctx: ReadContext,
  element: XmlElement,
  elementName: string,
  name: string,
): number | undefined {
  const value = attribute(element, name);
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,9}$/.test(value)) throw invalid(ctx, `${elementName}@${name} must be a whole number`);
  return Number(value);
}

export function requiredIntegerAttribute(
  ctx: ReadContext,
  element: XmlElement,
  elementName: string,
  name: string,
): number {
  const value = integerAttribute(ctx, element, elementName, name);
  if (value === undefined) throw invalid(ctx, `${elementName} has no ${name} attribute`);
  return value;
}

/** A timestamp attribute, checked (WctpError 405) but kept as sent. */
export function timestampAttribute(
  ctx: ReadContext,
  element: XmlElement,
  elementName: string,
  name: string,
): string | undefined {
  const value = attribute(element, name);
  if (value === undefined || value === '') return undefined;
  try {
    parseWctpTimestamp(value, `${elementName}@${name}`);
  } catch (error) {
    const e = error as WctpError;
    throw new WctpError(e.code, e.text, ctx.operation);
  }
  return value;
}

/**
 * A timestamp that is only informative (submitTimestamp, responseTimestamp...): a malformed one is
 * kept as sent rather than refusing a clinical message over it.
 */
export function informativeTimestamp(element: XmlElement, name: string): string | undefined {
  const value = attribute(element, name);
  return value === '' ? undefined : value;
}

/** Leaves out keys whose value is undefined, so parsed objects compare cleanly. */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------- shared elements

/** wctp-Originator (also accepts wctp-ClientOriginator in its place, seen from real clients). */
export function readOriginator(ctx: ReadContext, parent: XmlElement, parentName: string): Originator {
  const [name, el] = oneOf(ctx, parent, parentName, ['wctp-Originator', 'wctp-ClientOriginator']);
  return defined({
    senderID: requiredAttribute(ctx, el, name, 'senderID'),
    securityCode: attribute(el, 'securityCode'),
    miscInfo: attribute(el, 'miscInfo'),
  });
}

export function readRecipient(ctx: ReadContext, el: XmlElement, name = 'wctp-Recipient'): Recipient {
  return defined({
    recipientID: requiredAttribute(ctx, el, name, 'recipientID'),
    authorizationCode: attribute(el, 'authorizationCode'),
  });
}

const PRIORITIES = ['HIGH', 'NORMAL', 'LOW'] as const;

/** The delivery attributes shared by the three message-control elements, defaults from the DTD. */
export function readDeliveryOptions(
  ctx: ReadContext,
  el: XmlElement | undefined,
  name: string,
): DeliveryOptions {
  if (!el) {
    return {
      allowResponse: true,
      notifyWhenQueued: false,
      notifyWhenDelivered: false,
      notifyWhenRead: false,
      deliveryPriority: 'NORMAL',
      preformatted: false,
      allowTruncation: true,
    };
  }
  const options = defined({
    sendResponsesToID: attribute(el, 'sendResponsesToID') || undefined,
    allowResponse: booleanAttribute(ctx, el, name, 'allowResponse', true),
    notifyWhenQueued: booleanAttribute(ctx, el, name, 'notifyWhenQueued', false),
    notifyWhenDelivered: booleanAttribute(ctx, el, name, 'notifyWhenDelivered', false),
    notifyWhenRead: booleanAttribute(ctx, el, name, 'notifyWhenRead', false),
    deliveryPriority: enumAttribute(ctx, el, name, 'deliveryPriority', PRIORITIES, 'NORMAL'),
    deliveryAfter: timestampAttribute(ctx, el, name, 'deliveryAfter'),
    deliveryBefore: timestampAttribute(ctx, el, name, 'deliveryBefore'),
    preformatted: booleanAttribute(ctx, el, name, 'preformatted', false),
    allowTruncation: booleanAttribute(ctx, el, name, 'allowTruncation', true),
  });
  if (options.deliveryAfter && options.deliveryBefore) {
    const after = parseWctpTimestamp(options.deliveryAfter).getTime();
    const before = parseWctpTimestamp(options.deliveryBefore).getTime();
    if (before <= after) {
      throw new WctpError(406, `${name}@deliveryBefore must be later than deliveryAfter`, ctx.operation);
    }
  }
  return options;
}

/** wctp-MessageControl: the delivery options plus the sender's message and transaction IDs. */
export function readMessageControl(
  ctx: ReadContext,
  el: XmlElement,
  name = 'wctp-MessageControl',
): MessageControl {
  return defined({
    messageID: requiredAttribute(ctx, el, name, 'messageID'),
    transactionID: attribute(el, 'transactionID') || undefined,
    ...readDeliveryOptions(ctx, el, name),
  });
}

// ---------------------------------------------------------------- payload

/** wctp-Payload: exactly one of wctp-Alphanumeric, wctp-MCR, wctp-TransparentData. */
export function readPayload(ctx: ReadContext, parent: XmlElement, parentName: string): Payload {
  const payload = requiredChild(ctx, parent, parentName, 'wctp-Payload');
  const [name, el] = oneOf(ctx, payload, 'wctp-Payload', [
    'wctp-Alphanumeric',
    'wctp-MCR',
    'wctp-TransparentData',
  ] as const);
  if (name === 'wctp-Alphanumeric') return { kind: 'alphanumeric', text: el.text.trim() };
  if (name === 'wctp-MCR') return readMultipleChoice(ctx, el);
  return readTransparentData(ctx, el);
}

function readMultipleChoice(ctx: ReadContext, el: XmlElement): Payload {
  const messageText = requiredChild(ctx, el, 'wctp-MCR', 'wctp-MessageText').text.trim();
  const choices: Choice[] = [];
  // Choices keep document order: it is the order the device shows them in.
  for (const c of el.children) {
    if (c.name === 'wctp-choice') {
      choices.push({ text: c.text.trim() });
    } else if (c.name === 'wctp-choicepair') {
      const send = requiredChild(ctx, c, 'wctp-ChoicePair', 'wctp-SendChoice').text.trim();
      const reply = optionalChild(ctx, c, 'wctp-ChoicePair', 'wctp-ReplyChoice');
      choices.push(reply ? { text: send, replyText: reply.text.trim() } : { text: send });
    }
  }
  if (choices.length === 0) throw invalid(ctx, 'wctp-MCR has no wctp-Choice or wctp-ChoicePair');
  return { kind: 'multipleChoice', messageText, choices };
}

function readTransparentData(ctx: ReadContext, el: XmlElement): Payload {
  const name = 'wctp-TransparentData';
  const type = enumAttribute(ctx, el, name, 'type', ['OPAQUE', 'FLEXSuite'] as const, 'OPAQUE');
  // WCTP 1.0 defaults encoding to "standard" (plain text); 1.1 and later to "base64".
  const fallback = ctx.version === '1.0' ? 'standard' : 'base64';
  const encoding = enumAttribute(ctx, el, name, 'encoding', ['standard', 'base64'] as const, fallback);
  if (encoding === 'standard') return { kind: 'transparent', type, bytes: new TextEncoder().encode(el.text) };
  const base64 = el.text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 === 1) {
    throw invalid(ctx, `${name} is not valid base64`);
  }
  return { kind: 'transparent', type, bytes: new Uint8Array(Buffer.from(base64, 'base64')) };
}

// ---------------------------------------------------------------- results

function readResultElement(
  ctx: ReadContext,
  el: XmlElement,
  kind: 'success' | 'failure',
  elementName: string,
): WctpResult {
  const codeName = kind === 'success' ? 'successCode' : 'errorCode';
  const detail = el.text.trim();
  return defined({
    kind,
    code: requiredIntegerAttribute(ctx, el, elementName, codeName),
    text: attribute(el, kind === 'success' ? 'successText' : 'errorText') || undefined,
    detail: detail === '' ? undefined : detail,
  });
}

export function readFailure(ctx: ReadContext, el: XmlElement): WctpFailure {
  return readResultElement(ctx, el, 'failure', 'wctp-Failure') as WctpFailure;
}

/** wctp-Success, or wctp-ClientSuccess when `elementName` says so (same attributes, plus trackingNumber). */
export function readSuccess(ctx: ReadContext, el: XmlElement, elementName = 'wctp-Success'): WctpSuccess {
  return readResultElement(ctx, el, 'success', elementName) as WctpSuccess;
}

/** Exactly one wctp-Success or wctp-Failure child. */
export function readResult(ctx: ReadContext, parent: XmlElement, parentName: string): WctpResult {
  const [name, el] = oneOf(ctx, parent, parentName, ['wctp-Success', 'wctp-Failure'] as const);
  return name === 'wctp-Success' ? readSuccess(ctx, el) : readFailure(ctx, el);
}

/** Exactly one wctp-Notification or wctp-Failure child (statuses). */
export function readStatus(
  ctx: ReadContext,
  parent: XmlElement,
  parentName: string,
): Notification | WctpFailure {
  const [name, el] = oneOf(ctx, parent, parentName, ['wctp-Notification', 'wctp-Failure'] as const);
  if (name === 'wctp-Failure') return readFailure(ctx, el);
  const types = ['QUEUED', 'DELIVERED', 'READ'] as const;
  return { kind: 'notification', type: enumAttribute(ctx, el, 'wctp-Notification', 'type', types) };
}
