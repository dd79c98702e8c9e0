import { describe, expect, it } from 'vitest';
import { AlertBook } from './public/alert-book.js';

const alert = (id: number, createdAt: string, extra: Record<string, unknown> = {}) => ({
  id,
  createdAt,
  title: `Alert ${id}`,
  status: 'open',
  myState: 'delivered',
  ...extra,
});

describe('AlertBook', () => {
  it('lists newest first, breaking a tie on the larger id', () => {
    const book = new AlertBook();
    book.put(alert(1, '2026-11-22T02:00:00Z'));
    book.put(alert(3, '2026-11-22T01:00:00Z'));
    book.put(alert(2, '2026-11-22T03:00:00Z'));
    book.put(alert(4, '2026-11-22T03:00:00Z'));
    expect(book.list().map((a) => a.id)).toEqual([4, 2, 1, 3]);
  });

  it('tells a new alert from a changed one and from a replay of what it already has', () => {
    const book = new AlertBook();
    expect(book.put(alert(7, '2026-11-22T02:00:00Z'))).toBe('new');
    expect(book.put(alert(7, '2026-11-22T02:00:00Z'))).toBe('same');
    expect(book.put(alert(7, '2026-11-22T02:00:00Z', { myState: 'read' }))).toBe('changed');
    expect(book.get('7')?.myState).toBe('read');
    expect(book.size).toBe(1);
  });

  it('forgets a removed alert and says what it had', () => {
    const book = new AlertBook();
    book.put(alert(7, '2026-11-22T02:00:00Z'));
    expect(book.remove(7)?.title).toBe('Alert 7');
    expect(book.remove(7)).toBeUndefined();
    expect(book.has(7)).toBe(false);
    expect(book.list()).toEqual([]);
  });
});

describe('AlertBook receipts', () => {
  it('lays the page’s own delivered/read over the server state, never lowering it', () => {
    const book = new AlertBook();
    const recipients = [
      { personId: 'p-me', name: 'Me', state: 'queued' },
      { personId: 'p-other', name: 'Other', state: 'queued' },
    ];
    book.put(alert(5, '2026-11-22T02:00:00Z', { myState: 'queued', recipients }));
    book.noteReceipt(5, 'delivered', 'p-me');
    expect(book.get(5)?.myState).toBe('delivered');
    book.noteReceipt(5, 'read', 'p-me');
    book.noteReceipt(5, 'delivered', 'p-me'); // a late receipt does not step back
    const seen = book.get(5) as unknown as { myState: string; recipients: Array<{ state: string }> };
    expect(seen.myState).toBe('read');
    expect(seen.recipients.map((r) => r.state)).toEqual(['read', 'queued']);
    expect(book.list()[0].myState).toBe('read');
  });

  it('lets the server’s answer states win, and forgets receipts with the alert', () => {
    const book = new AlertBook();
    book.put(alert(6, '2026-11-22T02:00:00Z', { myState: 'delivered' }));
    book.noteReceipt(6, 'read', 'p-me');
    book.put(alert(6, '2026-11-22T02:00:00Z', { myState: 'acknowledged' }));
    expect(book.get(6)?.myState).toBe('acknowledged');
    book.remove(6);
    book.put(alert(6, '2026-11-22T02:00:00Z', { myState: 'queued' }));
    expect(book.get(6)?.myState).toBe('queued');
  });
});
