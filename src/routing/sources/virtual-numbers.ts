/**
 * Virtual pager numbers: numbers that ring no device but stand for a person, a group, whoever is on call
 * for an assignment, or the staff covering a bed or unit. A page sent to one (email-to-pager, or a WCTP
 * recipientID) is routed like any alert. Configured in `paging.virtualNumbers`; numbers compare by digits.
 */
import type { AlertPriority } from '../../store/alert-port.ts';
import type { PatientContext } from '../model.ts';
import type { RecipientSpec } from '../rules/types.ts';

export interface VirtualNumberConfig {
  number: string;
  name?: string;
  target: {
    person?: string;
    group?: string;
    onCall?: string;
    order?: 'first' | 'all' | number;
    coverage?: string;
    unit?: string;
    room?: string;
    bed?: string;
  };
  priority: AlertPriority;
}

export interface VirtualNumber {
  number: string;
  name: string;
  recipients: RecipientSpec[];
  /** For a coverage target: the bed or unit it covers, given to the resolver as the "patient's" location. */
  location?: PatientContext['location'];
  priority: AlertPriority;
}

/** Digits only, and a leading North American 1 dropped from 11 digits (as the directory compares pagers). */
export function pagerDigits(number: string): string {
  const d = number.replace(/\D/g, '');
  return d.length === 11 && d.startsWith('1') ? d.slice(1) : d;
}

export class VirtualNumbers {
  private readonly byDigits = new Map<string, VirtualNumber>();

  constructor(entries: readonly VirtualNumberConfig[]) {
    entries.forEach((e, i) => {
      const at = { file: 'switchboard.yaml', key: `paging.virtualNumbers.${i}.target` };
      const t = e.target;
      const recipients: RecipientSpec[] = [];
      if (t.person) recipients.push({ kind: 'person', id: t.person, at });
      if (t.group) recipients.push({ kind: 'group', id: t.group, at });
      if (t.onCall) recipients.push({ kind: 'onCall', assignment: t.onCall, order: t.order ?? 'first', at });
      if (t.coverage)
        recipients.push({ kind: 'coverage', role: t.coverage, scope: t.bed ? 'bedOrUnit' : 'unit', at });
      const location = t.unit
        ? { unit: t.unit, room: t.room || undefined, bed: t.bed || undefined }
        : undefined;
      this.byDigits.set(pagerDigits(e.number), {
        number: e.number,
        name: e.name ?? e.number,
        recipients,
        location,
        priority: e.priority,
      });
    });
  }

  find(number: string): VirtualNumber | undefined {
    return this.byDigits.get(pagerDigits(number));
  }

  /** Problems an analyst must fix: a target with no kind, or a coverage target without a unit. */
  problems(): string[] {
    const out: string[] = [];
    for (const v of this.byDigits.values()) {
      if (v.recipients.length === 0) out.push(`virtual number ${v.number} has no target`);
      if (v.recipients.some((r) => r.kind === 'coverage') && !v.location)
        out.push(`virtual number ${v.number}: a coverage target needs a unit`);
    }
    return out;
  }
}
