/**
 * Paging carriers and the three ways a page reaches one: WCTP (SubmitRequest over HTTP), SMTP
 * (email-to-pager, `<number>@<carrier domain>`) and SNPP (RFC 1861). Which carrier a pager number uses:
 * the contact's own `carrier`, else the longest matching prefix in `paging.numbers`, else the default.
 */
import { createTransport, type Transporter } from 'nodemailer';
import { buildSubmitRequest, isWctpError, parseWctp } from '../../protocols/wctp/index.ts';
import { PermanentDeliveryError } from '../outbox/worker.ts';
import { SnppError, sendSnppPage } from './snpp-client.ts';

/** One carrier from `paging.carriers` (defaults filled by the config schema). */
export interface CarrierConfig {
  name: string;
  kind: 'wctp' | 'smtp' | 'snpp';
  /** wctp: the carrier's endpoint; senderId and securityCode are our account there. */
  url?: string;
  senderId?: string;
  securityCode?: string;
  /** smtp and snpp: the carrier's server. */
  host?: string;
  port?: number;
  /** smtp: pager mail goes to `<digits>@<domain>`. */
  domain?: string;
  from?: string;
  user?: string;
  password?: string;
  secure: boolean;
  /** Longest text the carrier delivers; a longer page is cut. */
  maxLength: number;
  timeoutMs: number;
}

export interface CarrierTable {
  carriers: CarrierConfig[];
  numbers: Array<{ prefix: string; carrier: string }>;
  defaultCarrier?: string;
}

/** One page as it waits in the outbox. */
export interface PageOrder {
  carrier: string;
  /** 'pager': a number sent through the carrier; 'email': a mail address sent through the carrier's SMTP. */
  contactKind: 'pager' | 'email';
  address: string;
  text: string;
  /** Unique per page: WCTP messageID, mail Message-ID part. */
  messageId: string;
  personId: string;
  priority: 'urgent' | 'high' | 'normal' | 'low';
}

export function digitsOf(number: string): string {
  return number.replace(/\D/g, '');
}

/** The carrier for a contact: its own, else the longest matching number prefix, else the default. */
export function carrierFor(
  contact: { kind: string; address: string; carrier?: string },
  paging: CarrierTable,
): CarrierConfig | undefined {
  const byName = (name: string | undefined) => paging.carriers.find((c) => c.name === name);
  if (contact.carrier) return byName(contact.carrier);
  if (contact.kind === 'email') {
    // A mail address needs a mail server: the default carrier when it is one, else the first that is.
    const preferred = byName(paging.defaultCarrier);
    return preferred?.kind === 'smtp' ? preferred : paging.carriers.find((c) => c.kind === 'smtp');
  }
  const digits = digitsOf(contact.address);
  const prefix = paging.numbers
    .filter((n) => digits.startsWith(n.prefix))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
  return (
    byName(prefix?.carrier ?? paging.defaultCarrier) ??
    (paging.carriers.length === 1 ? paging.carriers[0] : undefined)
  );
}

/** Sends pages through configured carriers; one instance keeps one mail transport per SMTP carrier. */
export class CarrierGateway {
  private readonly mail = new Map<string, Transporter>();

  constructor(
    private readonly carriers: () => readonly CarrierConfig[],
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async send(order: PageOrder): Promise<string> {
    const carrier = this.carriers().find((c) => c.name === order.carrier);
    if (!carrier) throw new PermanentDeliveryError(`no carrier ${order.carrier} in paging.carriers`);
    const text =
      order.text.length > carrier.maxLength ? `${order.text.slice(0, carrier.maxLength - 1)}…` : order.text;
    if (order.contactKind === 'email' && carrier.kind !== 'smtp')
      throw new PermanentDeliveryError(
        `carrier ${carrier.name} (${carrier.kind}) cannot send to a mail address`,
      );
    switch (carrier.kind) {
      case 'wctp':
        return this.sendWctp(carrier, order, text);
      case 'smtp':
        return this.sendMail(carrier, order, text);
      case 'snpp':
        return this.sendSnpp(carrier, order, text);
    }
  }

  close(): void {
    for (const t of this.mail.values()) t.close();
    this.mail.clear();
  }

  private async sendWctp(carrier: CarrierConfig, order: PageOrder, text: string): Promise<string> {
    if (!carrier.url || !carrier.senderId)
      throw new PermanentDeliveryError(`carrier ${carrier.name} needs url and senderId`);
    const body = buildSubmitRequest({
      originator: { senderID: carrier.senderId, securityCode: carrier.securityCode },
      messageControl: {
        messageID: order.messageId,
        deliveryPriority:
          order.priority === 'urgent' || order.priority === 'high'
            ? 'HIGH'
            : order.priority === 'low'
              ? 'LOW'
              : 'NORMAL',
        notifyWhenDelivered: false,
        allowTruncation: true,
      },
      recipient: { recipientID: order.address },
      payload: { kind: 'alphanumeric', text },
    });
    let res: Response;
    try {
      res = await this.fetchImpl(carrier.url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(carrier.timeoutMs),
      });
    } catch (err) {
      throw new Error(`WCTP carrier ${carrier.name} unreachable: ${(err as Error).message}`);
    }
    const answer = await res.text();
    if (res.status >= 500) throw new Error(`WCTP carrier ${carrier.name}: HTTP ${res.status}`);
    if (res.status !== 200)
      throw new PermanentDeliveryError(`WCTP carrier ${carrier.name}: HTTP ${res.status}`);
    let parsed: ReturnType<typeof parseWctp>;
    try {
      parsed = parseWctp(answer);
    } catch (err) {
      if (isWctpError(err))
        throw new Error(`WCTP carrier ${carrier.name} answered what is not WCTP: ${err.message}`);
      throw err;
    }
    if (parsed.operation !== 'Confirmation')
      throw new Error(`WCTP carrier ${carrier.name} answered ${parsed.operation}, not a Confirmation`);
    const r = parsed.result;
    const said = `${r.code}${r.text ? ` ${r.text}` : ''}${r.detail ? ` (${r.detail})` : ''}`;
    if (r.kind === 'success') return `WCTP ${said}`;
    // 300s malformed, 400s credentials/recipient/length: the same page fails again. 500s/600s: the
    // carrier's own trouble (604 internal error, 6xx temporary), worth another try (WCTP 1.3 ERROR-CODES).
    if (r.code >= 300 && r.code < 500)
      throw new PermanentDeliveryError(`WCTP carrier ${carrier.name} refused: ${said}`);
    throw new Error(`WCTP carrier ${carrier.name} failed: ${said}`);
  }

  private async sendMail(carrier: CarrierConfig, order: PageOrder, text: string): Promise<string> {
    if (!carrier.host) throw new PermanentDeliveryError(`carrier ${carrier.name} needs host`);
    const to =
      order.contactKind === 'email' ? order.address : `${digitsOf(order.address)}@${carrier.domain ?? ''}`;
    if (order.contactKind === 'pager' && !carrier.domain)
      throw new PermanentDeliveryError(`carrier ${carrier.name} needs domain`);
    let transport = this.mail.get(carrier.name);
    if (!transport) {
      transport = createTransport({
        host: carrier.host,
        port: carrier.port ?? 25,
        secure: carrier.secure,
        auth: carrier.user ? { user: carrier.user, pass: carrier.password ?? '' } : undefined,
        connectionTimeout: carrier.timeoutMs,
        greetingTimeout: carrier.timeoutMs,
        socketTimeout: carrier.timeoutMs,
        // A page is short and urgent: one connection per message, nothing pooled that could go stale.
        pool: false,
      });
      this.mail.set(carrier.name, transport);
    }
    const [subject, ...rest] = text.split('\n');
    try {
      const info = await transport.sendMail({
        from: carrier.from ?? 'switchboard@localhost',
        to,
        subject,
        text: rest.join('\n') || subject,
        messageId: `<${order.messageId}@switchboard>`,
        priority: order.priority === 'urgent' || order.priority === 'high' ? 'high' : 'normal',
      });
      if (info.rejected?.length)
        throw new PermanentDeliveryError(`mail server refused ${to}: ${info.response}`);
      return `SMTP ${info.response}`;
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      if (err instanceof PermanentDeliveryError) throw err;
      // RFC 5321 §4.2.1: 5yz is a permanent failure, 4yz transient.
      if (code && code >= 500) throw new PermanentDeliveryError(`SMTP ${code}: ${(err as Error).message}`);
      throw new Error(`SMTP to ${carrier.name}: ${(err as Error).message}`);
    }
  }

  private async sendSnpp(carrier: CarrierConfig, order: PageOrder, text: string): Promise<string> {
    if (!carrier.host) throw new PermanentDeliveryError(`carrier ${carrier.name} needs host`);
    try {
      const answer = await sendSnppPage({
        host: carrier.host,
        port: carrier.port ?? 444,
        pagerId: digitsOf(order.address),
        password: carrier.password,
        text,
        timeoutMs: carrier.timeoutMs,
      });
      return `SNPP ${answer}`;
    } catch (err) {
      if (err instanceof SnppError && err.permanent) throw new PermanentDeliveryError(err.message);
      throw err;
    }
  }
}
