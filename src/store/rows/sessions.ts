import type { DeviceLogin, SessionEndReason, SessionRecord, SignInMethod } from '../session-port.ts';

/** Session and shared-device rows as both stores keep them (migration 011), and how they read back. */
export interface SessionRow {
  id: string;
  username: string;
  person_id: string | null;
  roles: string;
  method: string;
  device: string | null;
  address: string | null;
  created_at: number;
  last_seen_at: number;
  idle_expires_at: number;
  absolute_expires_at: number;
  ended_at: number | null;
  end_reason: string | null;
}

export function toRecord(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    username: r.username,
    personId: r.person_id,
    roles: JSON.parse(r.roles) as string[],
    method: r.method as SignInMethod,
    device: r.device,
    address: r.address,
    createdAt: new Date(r.created_at),
    lastSeenAt: new Date(r.last_seen_at),
    idleExpiresAt: new Date(r.idle_expires_at),
    absoluteExpiresAt: new Date(r.absolute_expires_at),
    endedAt: r.ended_at === null ? null : new Date(r.ended_at),
    endReason: r.end_reason as SessionEndReason | null,
  };
}

export interface DeviceRow {
  device: string;
  person_id: string;
  source: string;
  since: number;
}

export function toLogin(r: DeviceRow): DeviceLogin {
  return { device: r.device, personId: r.person_id, source: r.source, since: new Date(r.since) };
}
