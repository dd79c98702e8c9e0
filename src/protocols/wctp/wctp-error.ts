/**
 * The one error the WCTP codec throws. `code` is a WCTP status code (see error-codes.ts) that the
 * listener copies into `wctp-Failure@errorCode`; `text` says in plain words what was wrong.
 *
 * The text names elements and attributes, never their values: a WCTP payload carries patient
 * information, and error texts end up in logs and in answers to the sender.
 */
export class WctpError extends Error {
  readonly code: number;
  readonly text: string;
  /**
   * The operation being read when the error was found (e.g. `SubmitClientMessage`), when known,
   * so the answer can use that operation's own response element (wctp-SubmitClientResponse, ...).
   */
  readonly operation: string | undefined;

  constructor(code: number, text: string, operation?: string) {
    super(`WCTP ${code}: ${text}`);
    this.name = 'WctpError';
    this.code = code;
    this.text = text;
    this.operation = operation;
  }
}

export function isWctpError(value: unknown): value is WctpError {
  return value instanceof WctpError;
}
