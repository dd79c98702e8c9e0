/**
 * Configuration of the SIP gateway, in two places: `listeners.sip` says where Switchboard listens (the
 * network edge, like MLLP), and the top-level `sip` section says what it does with calls (who may
 * register, the trunk to the PBX, the dial plan). The dial plan is usually kept in its own file
 * (`config/sip.yaml`) because interface analysts edit it the way they edit rules.
 */

const recipientSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    onCall: { type: 'string', minLength: 1 },
    order: { anyOf: [{ enum: ['first', 'all'] }, { type: 'integer', minimum: 1, maximum: 99 }] },
    person: { type: 'string', minLength: 1 },
    group: { type: 'string', minLength: 1 },
    coverage: { type: 'string', minLength: 1 },
    scope: { enum: ['bed', 'unit', 'bedOrUnit'] },
    pager: { type: 'string', pattern: '^[0-9+*#-]{3,32}$' },
  },
} as const;

export const sipListenerSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    /** Off unless asked for: a SIP port is a phone system's business. The demo config turns it on. */
    enabled: { type: 'boolean', default: false },
    /** Loopback unless a site opens it to its PBX and phones: nurse-call MESSAGEs carry PHI. */
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 5060 },
    udp: { type: 'boolean', default: true },
    tcp: { type: 'boolean', default: true },
    /**
     * SIP over TLS (RFC 3261 section 26, RFC 5630) on its own port, for trunks and phones on networks the
     * hospital does not trust: nurse-call MESSAGEs and caller ids are PHI. Media is relayed as offered,
     * so phones that negotiate SRTP (RTP/SAVP with a=crypto, only safe over TLS) keep it end to end.
     */
    tls: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: false },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 5061 },
        certFile: { type: 'string' },
        keyFile: { type: 'string' },
        /** CA bundle for the certificates of peers (trunks we connect to; phones with mutual TLS). */
        caFile: { type: 'string' },
        /** Refuse phones and trunks that connect without a certificate signed by caFile. */
        requireClientCert: { type: 'boolean', default: false },
        /** Check the certificate of a trunk or phone we connect to (chain and host name). */
        verifyServers: { type: 'boolean', default: true },
      },
    },
    /** The address phones and the PBX reach us at, for Via, Contact and Record-Route when host is 0.0.0.0. */
    publicHost: { type: 'string' },
    /** Digest realm of REGISTER challenges, and the domain of clinicians' addresses-of-record. */
    realm: { type: 'string', default: 'switchboard.local' },
    /**
     * Digest algorithms offered in challenges, preferred first (RFC 8760). Some phones and test tools
     * answer only the first challenge and know only MD5: put MD5 first for them.
     */
    digestAlgorithms: {
      type: 'array',
      items: { enum: ['SHA-256', 'MD5'] },
      minItems: 1,
      uniqueItems: true,
      default: ['SHA-256', 'MD5'],
    },
    /** RFC 3261 T1 in milliseconds (retransmission base). */
    t1Ms: { type: 'integer', minimum: 50, maximum: 5000, default: 500 },
    /** Registrations shorter than this get 423 Interval Too Brief. */
    minExpiresSeconds: { type: 'integer', minimum: 1, default: 60 },
    maxExpiresSeconds: { type: 'integer', minimum: 60, default: 3600 },
  },
} as const;

export const sipSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    /** The hospital's own number: what a called clinician sees in From and P-Asserted-Identity. */
    hospitalNumber: { type: 'string', default: 'switchboard' },
    hospitalName: { type: 'string', default: 'Switchboard' },
    /** Ring one person this long before moving on along the call order. */
    noAnswerSeconds: { type: 'integer', minimum: 1, maximum: 600, default: 20 },
    /** Addresses whose calls and messages need no digest (besides the trunk and the nurse-call server). */
    trustedAddresses: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
    /** SIP credentials of clinicians' phones; the password is a secret: write ${ENV_NAME}. */
    accounts: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['username', 'person', 'password'],
        properties: {
          username: { type: 'string', pattern: '^[A-Za-z0-9._~-]+$' },
          person: { type: 'string', minLength: 1 },
          password: { type: 'string', minLength: 1 },
        },
      },
    },
    /** The PBX trunk: calls to and from the hospital's phones. Requests from its address need no digest. */
    trunk: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 1, maximum: 65535, default: 5060 },
        transport: { enum: ['udp', 'tcp', 'tls'], default: 'udp' },
        /** Our credentials at the PBX (digest as a client); the password is a secret. */
        username: { type: 'string' },
        password: { type: 'string' },
        /** OPTIONS keep-alive period; 0 turns it off. */
        keepAliveSeconds: { type: 'integer', minimum: 0, default: 30 },
      },
      required: ['host'],
    },
    /** The nurse-call SIP server; a "call back" from an alert rings the bed station through it. */
    nurseCall: {
      type: 'object',
      additionalProperties: false,
      required: ['host'],
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 1, maximum: 65535, default: 5060 },
        transport: { enum: ['udp', 'tcp', 'tls'], default: 'udp' },
      },
    },
    /**
     * Numbers Switchboard answers: an extension, a DID, a short code or a virtual pager number, each
     * routed to people through the routing core, or (`trunk: true`) out to the PBX.
     */
    dialPlan: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: { type: 'string', minLength: 1 },
          /** Exact numbers that reach this entry. */
          numbers: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
          /** A regular expression over the dialled user part (anchored for you). */
          pattern: { type: 'string' },
          recipients: { type: 'array', items: recipientSchema, default: [] },
          /** parallel: every device of everyone at once; sequential: one person after the other. */
          ring: { enum: ['parallel', 'sequential'], default: 'sequential' },
          noAnswerSeconds: { type: 'integer', minimum: 1, maximum: 600 },
          /** The bed or unit a coverage recipient is looked up for. */
          location: {
            type: 'object',
            additionalProperties: false,
            properties: {
              unit: { type: 'string' },
              room: { type: 'string' },
              bed: { type: 'string' },
            },
          },
          /** Send the call out over the trunk (the dialled number, minus `stripPrefix`). */
          trunk: { type: 'boolean', default: false },
          stripPrefix: { type: 'string' },
        },
      },
    },
  },
} as const;

export interface SipListenerConfig {
  enabled: boolean;
  host: string;
  port: number;
  udp: boolean;
  tcp: boolean;
  tls: {
    enabled: boolean;
    port: number;
    certFile?: string;
    keyFile?: string;
    caFile?: string;
    requireClientCert: boolean;
    verifyServers: boolean;
  };
  publicHost?: string;
  realm: string;
  digestAlgorithms: Array<'SHA-256' | 'MD5'>;
  t1Ms: number;
  minExpiresSeconds: number;
  maxExpiresSeconds: number;
}

export interface DialPlanRecipient {
  onCall?: string;
  order?: 'first' | 'all' | number;
  person?: string;
  group?: string;
  coverage?: string;
  scope?: 'bed' | 'unit' | 'bedOrUnit';
  pager?: string;
}

export interface DialPlanEntryConfig {
  id: string;
  numbers: string[];
  pattern?: string;
  recipients: DialPlanRecipient[];
  ring: 'parallel' | 'sequential';
  noAnswerSeconds?: number;
  location?: { unit?: string; room?: string; bed?: string };
  trunk: boolean;
  stripPrefix?: string;
}

export interface SipPeerConfig {
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
}

export interface SipConfig {
  hospitalNumber: string;
  hospitalName: string;
  noAnswerSeconds: number;
  trustedAddresses: string[];
  accounts: Array<{ username: string; person: string; password: string }>;
  trunk?: SipPeerConfig & { username?: string; password?: string; keepAliveSeconds: number };
  nurseCall?: SipPeerConfig;
  dialPlan: DialPlanEntryConfig[];
}
