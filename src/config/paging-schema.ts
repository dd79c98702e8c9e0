import type { CarrierConfig } from '../delivery/paging/carriers.ts';
import type { VirtualNumberConfig } from '../routing/sources/virtual-numbers.ts';

/**
 * Configuration of alarms and pagers: `listeners.smtp` (email-to-pager in), `pcd` (IHE PCD alarm
 * reporters that want PCD-05 status back) and `paging` (carriers a page goes out through, which pager
 * number uses which carrier, and virtual pager numbers that route like any alert). Secrets such as a
 * carrier's securityCode are written `${ENV_NAME}`.
 */

export const smtpListenerSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    /** Off unless asked for (the demo config turns it on). */
    enabled: { type: 'boolean', default: false },
    /** Loopback unless a site opens it to its network: pages carry PHI. */
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 2525 },
    /** Mail domains pages are accepted for: `<pager number>@<domain>`. Anything else gets 550. */
    domains: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
    /** Largest message accepted, in bytes (SMTP SIZE); larger ones get 552. */
    maxBytes: { type: 'integer', minimum: 1024, default: 262144 },
  },
} as const;

const reportedStatus = {
  enum: ['received', 'undeliverable', 'delivered', 'read', 'accepted', 'rejected', 'cancelled'],
} as const;

export const pcdSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    /** Who hears an alarm no rule routes: staff in this role covering the bed (else the unit). */
    fallbackRole: { type: 'string', minLength: 1, default: 'nurse' },
    /** Alarm reporters (by MSH-3, optionally MSH-4) that take PCD-05 ORA^R41 on their own MLLP port. */
    reporters: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['application', 'host', 'port'],
        properties: {
          application: { type: 'string', minLength: 1 },
          facility: { type: 'string' },
          host: { type: 'string', minLength: 1 },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          /** received is sent only when listed; the others by default (PCD-05 PRT-3.2 of IHE DEV TF-2). */
          statuses: {
            type: 'array',
            items: reportedStatus,
            default: ['undeliverable', 'delivered', 'read', 'accepted', 'rejected', 'cancelled'],
          },
          /** asked: only when the PCD-04 did not say MSH-16 NE (the TF's rule); always: also then. */
          when: { enum: ['always', 'asked'], default: 'asked' },
          /** rev10: IHE DEV TF Rev. 10.0 (alert identity in OBR-29.2); legacy: older revisions (OBR-3). */
          profile: { enum: ['rev10', 'legacy'], default: 'rev10' },
          ackTimeoutMs: { type: 'integer', minimum: 100, default: 10000 },
        },
      },
    },
  },
} as const;

const targetSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    person: { type: 'string', minLength: 1 },
    group: { type: 'string', minLength: 1 },
    onCall: { type: 'string', minLength: 1 },
    order: { anyOf: [{ enum: ['first', 'all'] }, { type: 'integer', minimum: 1, maximum: 99 }] },
    /** Staff in this role covering `unit` (and `room`/`bed` when given). */
    coverage: { type: 'string', minLength: 1 },
    unit: { type: 'string', minLength: 1 },
    room: { type: 'string' },
    bed: { type: 'string' },
  },
} as const;

export const pagingSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    /** Send pages to people's pager and email contacts. Without carriers nothing is sent. */
    enabled: { type: 'boolean', default: true },
    /** always: every notified person is paged too; appOffline: only people with no clinician page open. */
    mode: { enum: ['always', 'appOffline'], default: 'always' },
    carriers: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'kind'],
        properties: {
          name: { type: 'string', minLength: 1 },
          kind: { enum: ['wctp', 'smtp', 'snpp'] },
          /** wctp: the carrier's WCTP endpoint URL. */
          url: { type: 'string' },
          senderId: { type: 'string' },
          securityCode: { type: 'string' },
          /** smtp and snpp: the carrier's server. */
          host: { type: 'string' },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          /** smtp: pager mail goes to `<number>@<domain>`. */
          domain: { type: 'string' },
          from: { type: 'string' },
          user: { type: 'string' },
          password: { type: 'string' },
          /** smtp: TLS from the first byte (port 465); otherwise STARTTLS when offered. */
          secure: { type: 'boolean', default: false },
          /** Longest text the carrier delivers; longer pages are cut. */
          maxLength: { type: 'integer', minimum: 20, default: 240 },
          timeoutMs: { type: 'integer', minimum: 100, default: 15000 },
        },
      },
    },
    /** The carrier for a pager contact that names none and matches no prefix. */
    defaultCarrier: { type: 'string' },
    /** Which carrier serves which numbers: the longest matching digit prefix wins. */
    numbers: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['prefix', 'carrier'],
        properties: {
          prefix: { type: 'string', pattern: '^[0-9]*$' },
          carrier: { type: 'string', minLength: 1 },
        },
      },
    },
    /** Numbers that are no device: a page to one is routed to its target like any alert. */
    virtualNumbers: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['number', 'target'],
        properties: {
          number: { type: 'string', pattern: '^[0-9+() .-]{3,32}$' },
          name: { type: 'string' },
          target: targetSchema,
          priority: { enum: ['urgent', 'high', 'normal', 'low'], default: 'high' },
        },
      },
    },
    retry: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        firstDelayMs: { type: 'integer', minimum: 10, default: 5000 },
        factor: { type: 'number', minimum: 1, default: 3 },
        maxDelayMs: { type: 'integer', minimum: 10, default: 600000 },
        maxAttempts: { type: 'integer', minimum: 1, default: 6 },
      },
    },
  },
} as const;

export interface SmtpListenerConfig {
  enabled: boolean;
  host: string;
  port: number;
  domains: string[];
  maxBytes: number;
}

export interface PcdConfig {
  fallbackRole: string;
  reporters: Array<{
    application: string;
    facility?: string;
    host: string;
    port: number;
    statuses: Array<
      'received' | 'undeliverable' | 'delivered' | 'read' | 'accepted' | 'rejected' | 'cancelled'
    >;
    when: 'always' | 'asked';
    profile: 'rev10' | 'legacy';
    ackTimeoutMs: number;
  }>;
}

export interface PagingConfig {
  enabled: boolean;
  mode: 'always' | 'appOffline';
  carriers: CarrierConfig[];
  defaultCarrier?: string;
  numbers: Array<{ prefix: string; carrier: string }>;
  virtualNumbers: VirtualNumberConfig[];
  retry: { firstDelayMs: number; factor: number; maxDelayMs: number; maxAttempts: number };
}
