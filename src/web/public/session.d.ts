// Types for session.js, for the unit tests (never served).
export interface Session {
  token: string;
  expiresAt?: string;
  person?: { id: string; name: string };
}
type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;
type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
export declare function signIn(username: string, password: string, fetchImpl?: FetchLike): Promise<Session>;
export declare function saveSession(session: Session, storage?: StorageLike): void;
export declare function savedSession(storage?: StorageLike, nowMs?: number): Session | null;
export declare function forgetSession(storage?: StorageLike): void;
export declare function fetchAlertTimeline(
  id: string | number,
  token: string,
  fetchImpl?: FetchLike,
): Promise<Array<{ at: string; kind: string; personId?: string | null; detail?: string }>>;
export declare function tokenStillAccepted(token: string, fetchImpl?: FetchLike): Promise<boolean>;
export declare function signOut(token: string, fetchImpl?: FetchLike): Promise<boolean>;
export declare function sessionFromFragment(hash: string | null | undefined): Session | null;
export declare function signInOptions(
  fetchImpl?: FetchLike,
): Promise<{ local: boolean; oidc: boolean; saml: boolean }>;
export declare function devicePlatform(userAgent?: string): 'ios' | 'android' | 'web';
export declare function fetchEhrLinks(
  mrn: string,
  token: string,
  fetchImpl?: FetchLike,
  platform?: 'ios' | 'android' | 'web',
): Promise<Array<{ label: string; url: string; platforms: string[] }>>;
