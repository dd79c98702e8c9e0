// Types for format.js, for the unit tests (the browser loads the .js directly; this file is never served).
export declare const PRIORITIES: readonly string[];
export declare function priorityOf(priority: unknown): 'urgent' | 'high' | 'normal' | 'low';
export declare function priorityLabel(priority: unknown): string;
export declare function stateLabel(state: unknown): string;
export declare function eventLabel(kind: unknown): string;
export declare function actionLabel(action: string): string;
export declare function isUnseen(alert: { status: string; myState: string }): boolean;
export declare function awaitsAnswer(alert: { status: string; myState: string }): boolean;
export declare function timeSince(iso: string, nowMs: number): string;
export declare function clockTime(iso: string, nowMs: number, timeZone?: string): string;
export declare function personName(
  alert: { recipients?: Array<{ personId: string; name?: string }> } | undefined,
  who: string | { personId?: string; name?: string } | null | undefined,
): string;
export declare function locationText(
  location: string | { facility?: string; unit?: string; room?: string; bed?: string } | null | undefined,
): string;
