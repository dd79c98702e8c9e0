import type { EhrLaunchSettings } from '../api/ehr-launch.ts';
import type { SipConfig, SipListenerConfig } from '../calls/sip-config.ts';
import type { MllpListenerOptions } from '../listeners/mllp/server.ts';
import type { WctpGatewayOptions } from '../listeners/wctp/options.ts';
import type { Hl7Limits } from '../protocols/hl7/index.ts';
import type { DeepLinkSettings } from '../routing/ehr/deep-links.ts';
import type { PoisonGuardOptions } from '../routing/poison-guard.ts';
import type { RouterPacing } from '../routing/router.ts';
import type { WctpRoutingSettings } from '../routing/sources/wctp/routing-table.ts';
import type { CensusImportConfig } from '../wiring/census-imports.ts';
import type { IdentityConfig } from './identity-schema.ts';
import type { MetricsConfig, OperationsConfig } from './operations-schema.ts';
import type { PagingConfig, PcdConfig, SmtpListenerConfig } from './paging-schema.ts';
import type { HttpSignInConfig } from './sign-in-schema.ts';

/** The validated, defaulted configuration (mirrors schema.ts). */
export interface TlsConfig {
  enabled: boolean;
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  requireClientCert: boolean;
}

export interface MllpListenerConfig extends MllpListenerOptions {
  enabled: boolean;
  tls: TlsConfig;
  maxUnstoredMessages: number;
  shutdownGraceSeconds: number;
}

export interface SwitchboardConfig {
  site: { name: string; timezone: string; application: string; facility: string };
  listeners: { mllp: MllpListenerConfig; sip: SipListenerConfig; smtp: SmtpListenerConfig };
  sip: SipConfig;
  pcd: PcdConfig;
  paging: PagingConfig;
  http: {
    enabled: boolean;
    host: string;
    port: number;
    trustedProxies: readonly string[];
    signIn: HttpSignInConfig;
  };
  store: { driver: 'sqlite' | 'postgres'; url?: string; schema?: string };
  redis: { url?: string; channel: string };
  cluster: { leaseSeconds: number };
  wctp: WctpGatewayOptions & WctpRoutingSettings;
  messaging: { urgentUnreadMinutes: number; urgentPolicy?: string; retentionDays: number };
  censusImports: CensusImportConfig[];
  ehr: DeepLinkSettings & { launch: EhrLaunchSettings & { frameAncestors: string[] } };
  routing: {
    rulesDir: string;
    failsafeGroup?: string;
    cycleMs: number;
    coverageWarningMinutes?: number;
    pacing: RouterPacing;
    limits: Hl7Limits;
    poisonGuard: PoisonGuardOptions;
  };
  accounts: Array<{
    username: string;
    person?: string;
    role: 'clinician' | 'analyst' | 'admin';
    passwordHash: string;
  }>;
  apiTokens: Array<{ name: string; role: 'clinician' | 'analyst' | 'admin'; token: string }>;
  /** Sessions, single sign-on and provisioning (identity-schema.ts). */
  identity: IdentityConfig;
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  /** The Prometheus endpoint and the dashboard's settings (operations-schema.ts). */
  metrics: MetricsConfig;
  operations: OperationsConfig;
}
