import { describe, expect, it } from 'vitest';
import {
  awaitsAnswer,
  clockTime,
  eventLabel,
  isUnseen,
  locationText,
  personName,
  priorityLabel,
  priorityOf,
  stateLabel,
  timeSince,
} from './public/format.js';

const at = (iso: string) => Date.parse(iso);

describe('timeSince', () => {
  const created = '2026-11-22T02:30:00.000Z';
  it.each([
    ['2026-11-22T02:30:10.000Z', 'just now'],
    ['2026-11-22T02:29:00.000Z', 'just now'], // a phone clock behind the server never shows a negative age
    ['2026-11-22T02:31:00.000Z', '1 min ago'],
    ['2026-11-22T02:34:20.000Z', '4 min ago'],
    ['2026-11-22T03:30:00.000Z', '1 h ago'],
    ['2026-11-22T04:35:00.000Z', '2 h 5 min ago'],
    ['2026-11-25T02:30:00.000Z', '3 d ago'],
  ])('at %s says %s', (now, words) => {
    expect(timeSince(created, at(now))).toBe(words);
  });

  it('says nothing for a time it cannot read', () => {
    expect(timeSince('not a time', Date.now())).toBe('');
  });
});

describe('clockTime', () => {
  it('shows local time of day for today, with the date for another day', () => {
    const now = at('2026-11-22T15:00:00Z');
    expect(clockTime('2026-11-22T14:05:09Z', now, 'America/New_York')).toBe('09:05:09');
    expect(clockTime('2026-11-21T14:05:09Z', now, 'America/New_York')).toBe('2026-11-21 09:05:09');
  });

  it('uses the local day, not the UTC day', () => {
    // 02:30 UTC on the 22nd is 21:30 on the 21st in New York: the same local day as 23:00 local.
    expect(clockTime('2026-11-22T02:30:00Z', at('2026-11-22T04:00:00Z'), 'America/New_York')).toBe(
      '21:30:00',
    );
  });
});

describe('labels', () => {
  it('names every priority and state in words', () => {
    expect(['urgent', 'high', 'normal', 'low'].map(priorityLabel)).toEqual([
      'Urgent',
      'High',
      'Normal',
      'Low',
    ]);
    expect(stateLabel('queued')).toBe('Pending');
    expect(stateLabel('acknowledged')).toBe('Acknowledged');
    expect(eventLabel('failsafe')).toBe('Failsafe');
  });

  it('shows a value a newer server adds as it was sent, and treats an unknown priority as normal', () => {
    expect(priorityLabel('critical')).toBe('Critical');
    expect(priorityOf('critical')).toBe('normal');
    expect(priorityOf('urgent')).toBe('urgent');
    expect(stateLabel('snoozed')).toBe('Snoozed');
    expect(eventLabel('paged')).toBe('Paged');
  });
});

describe('isUnseen and awaitsAnswer', () => {
  it('keeps sounding until the person has opened the alert, and asks for an answer until they give one', () => {
    const open = (myState: string) => ({ status: 'open', myState });
    expect(['queued', 'delivered', 'read', 'accepted'].map((s) => isUnseen(open(s)))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(['delivered', 'read', 'accepted', 'acknowledged'].map((s) => awaitsAnswer(open(s)))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(isUnseen({ status: 'acknowledged', myState: 'delivered' })).toBe(false);
  });
});

describe('personName', () => {
  it('finds a name among the recipients, else shows the id', () => {
    const alert = { recipients: [{ personId: 'p-ahmed', name: 'Dr. Ahmed' }] };
    expect(personName(alert, 'p-ahmed')).toBe('Dr. Ahmed');
    expect(personName(alert, 'p-lee')).toBe('p-lee');
    expect(personName(alert, null)).toBe('');
  });
});

describe('locationText', () => {
  it('reads the census shape and the document’s string alike', () => {
    expect(locationText('4W 401-A')).toBe('4W 401-A');
    expect(locationText({ facility: 'RGH', unit: '4W', room: '402', bed: 'B' })).toBe('4W 402-B');
    expect(locationText({ unit: 'ED', bed: 'Bay 7' })).toBe('ED Bay 7');
    expect(locationText({ facility: 'RGH' })).toBe('RGH');
    expect(locationText(null)).toBe('');
  });
});
