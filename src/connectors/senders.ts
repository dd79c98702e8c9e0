/**
 * What every kind's sender needs: its connectors by id (a job whose connector was removed from
 * connectors.yaml is dead: nobody is left to send it), and fetch to a target with a timeout, a network
 * failure becoming a TargetError worth retrying.
 */
import type { ConnectorSettings } from './connector.ts';
import { TargetError, unreachable } from './errors.ts';

export class ConnectorsById<Options> {
  private readonly byId: Map<string, ConnectorSettings<Options>>;

  constructor(
    connectors: readonly ConnectorSettings[],
    private readonly kind: string,
  ) {
    this.byId = new Map(connectors.map((c) => [c.id, c as ConnectorSettings<Options>]));
  }

  get(id: string): ConnectorSettings<Options> | undefined {
    return this.byId.get(id);
  }

  /** The connector a job names; throws a permanent TargetError when it is gone. */
  of(id: string): ConnectorSettings<Options> {
    const s = this.byId.get(id);
    if (!s) throw new TargetError(`no ${this.kind} connector ${id} in connectors.yaml`, true);
    return s;
  }
}

/** fetch with a timeout; a refused, reset or timed-out connection is a retryable TargetError. */
export async function fetchTarget(
  fetchImpl: typeof fetch,
  what: string,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw unreachable(what, err);
  }
}
