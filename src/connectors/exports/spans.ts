/**
 * The spans of schedule a file covers, in the site's local days: a window around today, or the pay period
 * today falls in. Local midnights are found through the zone's rules, so a span across a DST change is 23
 * or 25 hours longer or shorter than its days times 24, as the ward's clocks say.
 */
import { offsetMinutes, wallTimeToInstant } from '../../kit/zone-clock.ts';
import type { Window } from '../connector.ts';
import type { ExportSpan } from './export-kind.ts';

const DAY = 86_400_000;

/** The local calendar day of an instant, as days since 1970-01-01. */
export function localDay(at: Date, zone: string): number {
  return Math.floor((at.getTime() + offsetMinutes(zone, at.getTime()) * 60_000) / DAY);
}

/** The instant local midnight begins the given day (days since 1970-01-01). */
export function midnightOf(day: number, zone: string): Date {
  return new Date(wallTimeToInstant(zone, day * DAY));
}

/** 'yyyy-MM-dd' of a local day number. */
export function dayText(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** From `daysBack` local days before today's midnight to the end of the `daysForward`th day after today. */
export function windowSpan(at: Date, zone: string, window: Window): ExportSpan {
  const today = localDay(at, zone);
  return {
    from: midnightOf(today - window.daysBack, zone),
    to: midnightOf(today + window.daysForward + 1, zone),
    period: '',
  };
}

/** A pay period: `days` long, the first one starting on `anchor` ('yyyy-MM-dd', a local date). */
export interface PayPeriod {
  anchor: string;
  days: number;
}

export function payPeriodSpan(at: Date, zone: string, pay: PayPeriod): ExportSpan {
  const anchor = Math.floor(Date.parse(`${pay.anchor}T00:00:00Z`) / DAY);
  const today = localDay(at, zone);
  const first = anchor + Math.floor((today - anchor) / pay.days) * pay.days;
  return { from: midnightOf(first, zone), to: midnightOf(first + pay.days, zone), period: dayText(first) };
}

/** Reads `payPeriod: { anchor: '2026-01-04', days: 14 }`. */
export function payPeriodProblem(pay: unknown): string | undefined {
  const p = pay as Partial<PayPeriod> | undefined;
  if (!p || typeof p !== 'object')
    return 'payPeriod is required: { anchor: yyyy-MM-dd (a first day), days: 14 }';
  if (
    typeof p.anchor !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}$/.test(p.anchor) ||
    Number.isNaN(Date.parse(p.anchor))
  ) {
    return 'payPeriod.anchor must be a date written yyyy-MM-dd (the first day of any pay period)';
  }
  if (!Number.isInteger(p.days) || (p.days as number) < 1 || (p.days as number) > 62) {
    return 'payPeriod.days must be a whole number of days from 1 to 62';
  }
  return undefined;
}
