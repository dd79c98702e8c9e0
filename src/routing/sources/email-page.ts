/**
 * Email-to-pager: the routing step for mail taken by the SMTP listener. Each envelope recipient
 * (`Delivered-To: <number>@<domain>`) is a pager number: a virtual number routes to its target (a person,
 * a group, on call for an assignment, the staff covering a bed); a directory pager number routes to whoever
 * holds it. One alert per mail, to everyone those numbers reach. The subject is the title, the body the text.
 */
import { readMail } from '../../protocols/mail/read-mail.ts';
import type { AlertPriority } from '../../store/alert-port.ts';
import type { InboundEvent } from '../inbound-port.ts';
import type { MessageInterpreter, RouteContext } from '../interpreter.ts';
import type { PatientContext } from '../model.ts';
import type { RecipientSpec } from '../rules/types.ts';
import { pagerDigits, type VirtualNumbers } from './virtual-numbers.ts';

export interface EmailPageOptions {
  virtualNumbers: () => VirtualNumbers;
  /** Whether a directory person or group holds this pager number. */
  isDirectoryPager: (number: string) => boolean;
  /** Longest body kept on the alert. @defaultValue 2000 */
  maxBodyChars?: number;
}

/** X-Priority 1-2 / Importance high → high; 4-5 / low → low (RFC 2156 Importance; X-Priority by custom). */
function mailPriority(headers: Array<{ name: string; value: string }>): AlertPriority | undefined {
  const get = (n: string) =>
    headers
      .find((h) => h.name === n)
      ?.value.trim()
      .toLowerCase() ?? '';
  const x = get('x-priority').charAt(0);
  const importance = get('importance');
  if (x === '1' || x === '2' || importance === 'high') return 'high';
  if (x === '4' || x === '5' || importance === 'low') return 'low';
  return undefined;
}

const RANK: Record<AlertPriority, number> = { urgent: 3, high: 2, normal: 1, low: 0 };

/** The more urgent of two priorities; the second when the first is missing. */
function higher(a: AlertPriority | undefined, b: AlertPriority | undefined): AlertPriority | undefined {
  if (!a) return b;
  if (!b) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

export class EmailPageInterpreter implements MessageInterpreter {
  readonly name = 'email-to-pager';

  constructor(private readonly options: EmailPageOptions) {}

  async interpret(event: InboundEvent, _message: unknown, ctx: RouteContext) {
    if (event.listener !== 'smtp') return undefined;
    // Routed before a crash but not marked: the alert exists already; do not page twice.
    const earlier = await ctx.alerts.forMessage(event.messageId);
    if (earlier.length)
      return { status: 'routed' as const, detail: earlier.map((a) => `alert ${a.id}`).join('; ') };
    const mail = await readMail(event.raw);
    const recipients: RecipientSpec[] = [];
    const reasons: string[] = [];
    const unknown: string[] = [];
    let priority: AlertPriority | undefined;
    let location: PatientContext['location'];
    for (const address of mail.deliveredTo) {
      const number = address.split('@')[0];
      const virtual = this.options.virtualNumbers().find(number);
      if (virtual) {
        recipients.push(...virtual.recipients);
        reasons.push(`mail to virtual number ${virtual.number} (${virtual.name})`);
        location ??= virtual.location;
        if (!priority || RANK[virtual.priority] > RANK[priority]) priority = virtual.priority;
      } else if (this.options.isDirectoryPager(number)) {
        recipients.push({
          kind: 'pager',
          number: pagerDigits(number),
          at: { file: 'directory.yaml', key: 'contacts' },
        });
        reasons.push(`mail to pager ${number}`);
      } else unknown.push(number);
    }
    if (recipients.length === 0) {
      return {
        status: 'unrouted' as const,
        detail: `no virtual number or directory pager ${unknown.join(', ') || '(no recipient)'}`,
      };
    }
    const firstLine = mail.text.split('\n').find((l) => l.trim()) ?? '';
    const title = (mail.subject || firstLine || 'Page').slice(0, 200);
    const maxBody = this.options.maxBodyChars ?? 2000;
    const body = mail.text.length > maxBody ? `${mail.text.slice(0, maxBody - 1)}…` : mail.text;
    const alert = await ctx.service.raise({
      messageId: event.messageId,
      source: 'email',
      ruleId: 'email-to-pager',
      title,
      body,
      priority: higher(priority, mailPriority(mail.headers)) ?? 'high',
      patient: location ? { mrn: '', location } : undefined,
      recipients,
      context: { email: { from: mail.from, messageId: mail.messageId } },
      reasons: [...reasons, ...(unknown.length ? [`not a pager here: ${unknown.join(', ')}`] : [])],
    });
    return { status: 'routed' as const, detail: `alert ${alert.id}` };
  }
}
