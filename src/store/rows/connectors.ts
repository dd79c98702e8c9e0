import type { ConnectorLogOutcome, FeedToken } from '../connector-port.ts';

/** Connector log and feed-token rows as both stores keep them (migration 010), and how they read back. */
export interface LogRow {
  id: number;
  connector_id: string;
  delivery_id: number | null;
  at: number;
  outcome: ConnectorLogOutcome;
  target: string;
  summary: string;
  answer: string | null;
}

export interface TokenRow {
  token_hash: string;
  connector_id: string;
  subject_kind: 'person' | 'assignment';
  subject_id: string;
  created_at: number;
  revoked_at: number | null;
}

export function toToken(r: TokenRow): FeedToken {
  return {
    tokenHash: r.token_hash,
    connectorId: r.connector_id,
    kind: r.subject_kind,
    id: r.subject_id,
    createdAt: new Date(r.created_at),
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at),
  };
}
