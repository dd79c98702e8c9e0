// Types for alert-book.js, for the unit tests (never served).
export interface BookAlert {
  id: number | string;
  createdAt: string;
  [field: string]: unknown;
}
export declare function newestFirst(a: BookAlert, b: BookAlert): number;
export declare class AlertBook {
  put(alert: BookAlert): 'new' | 'changed' | 'same';
  noteReceipt(id: number | string, state: 'delivered' | 'read', personId?: string): void;
  remove(id: number | string): BookAlert | undefined;
  get(id: number | string): BookAlert | undefined;
  has(id: number | string): boolean;
  list(): BookAlert[];
  readonly size: number;
  clear(): void;
}
