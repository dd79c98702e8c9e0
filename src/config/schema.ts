/**
 * The configuration schema: one JSON Schema, with every default visible here. The loader validates the
 * merged YAML files against it, fills defaults, and freezes the result.
 */

import { sipListenerSchema, sipSchema } from '../calls/sip-config.ts';
import { identitySchema } from './identity-schema.ts';
import { metricsSchema, operationsSchema } from './operations-schema.ts';
import { pagingSchema, pcdSchema, smtpListenerSchema } from './paging-schema.ts';
import { httpSignInSchema, wctpSignInSchema } from './sign-in-schema.ts';

const tlsSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    enabled: { type: 'boolean', default: false },
    certFile: { type: 'string' },
    keyFile: { type: 'string' },
    /** CA bundle used to verify client certificates (mutual TLS). */
    caFile: { type: 'string' },
    requireClientCert: { type: 'boolean', default: false },
  },
} as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['site'],
  properties: {
    site: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'timezone'],
      properties: {
        name: { type: 'string', minLength: 1 },
        /**
         * IANA zone in which schedules and rule windows are evaluated. Storage is always UTC. Required: a
         * silent default would page by another city's clock.
         */
        timezone: { type: 'string', minLength: 1 },
        /** How Switchboard names itself in MSH-3/MSH-4 of the acknowledgements it sends. */
        application: { type: 'string', default: 'SWITCHBOARD' },
        facility: { type: 'string', default: '' },
      },
    },
    listeners: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        mllp: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: { type: 'boolean', default: true },
            /** Loopback unless a site opens it to its network: the feed carries PHI. */
            host: { type: 'string', default: '127.0.0.1' },
            port: { type: 'integer', minimum: 0, maximum: 65535, default: 2575 },
            maxFrameBytes: { type: 'integer', minimum: 1024, default: 1048576 },
            /** Close a connection that has been silent this long. 0 keeps it open forever. */
            idleTimeoutSeconds: { type: 'integer', minimum: 0, default: 600 },
            maxConnections: { type: 'integer', minimum: 1, default: 1000 },
            /** Connections one source address may hold at once; more are closed as they arrive. */
            maxConnectionsPerAddress: { type: 'integer', minimum: 1, default: 50 },
            /**
             * The last of maxConnections kept for known senders: those in allowedSenders, and addresses that
             * sent a stored message since start. Idle unknown connections cannot fill them.
             */
            reservedConnections: { type: 'integer', minimum: 0, default: 100 },
            /**
             * Who may connect; empty lets anyone. Each entry names an address or network, a client
             * certificate's subject CN (signed by tls.caFile) or SHA-256 fingerprint, or several of these
             * (all must match); a connection is let in when any entry matches.
             */
            allowedSenders: {
              type: 'array',
              default: [],
              items: {
                type: 'object',
                additionalProperties: false,
                anyOf: [
                  { required: ['address'] },
                  { required: ['certificateSubject'] },
                  { required: ['certificateFingerprint'] },
                ],
                properties: {
                  name: { type: 'string' },
                  address: { type: 'string', pattern: '^[0-9A-Fa-f.:]+(/[0-9]{1,3})?$' },
                  certificateSubject: { type: 'string', minLength: 1 },
                  certificateFingerprint: { type: 'string', pattern: '^([0-9A-Fa-f]{2}:?){32}$' },
                },
              },
            },
            /**
             * How long a stop (SIGTERM) waits for the MLLP thread and routing to finish what they hold; what
             * is left stays in the inbound journal and the store and is taken up at the next start.
             */
            shutdownGraceSeconds: { type: 'number', minimum: 0, default: 10 },
            /**
             * Acknowledged messages the store may lag behind the inbound journal before the listener stops
             * reading from senders (it reads again at half). Bounds memory in a storm; normally the lag is
             * about 100 ms of traffic.
             */
            maxUnstoredMessages: { type: 'integer', minimum: 2, default: 50000 },
            tls: tlsSchema,
          },
        },
        sip: sipListenerSchema,
        smtp: smtpListenerSchema,
      },
    },
    sip: sipSchema,
    pcd: pcdSchema,
    paging: pagingSchema,
    http: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        /** Loopback unless a site opens it to its network: the API and pages show PHI. */
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
        /**
         * Load balancers whose X-Forwarded-For is believed (addresses, CIDR ranges, or `loopback`,
         * `linklocal`, `uniquelocal`): behind them the client's own address is what sign-in limits,
         * sessions and WCTP senders are counted by. Nobody by default, so a client cannot claim an address.
         */
        trustedProxies: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
        signIn: httpSignInSchema,
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        driver: { enum: ['sqlite', 'postgres'], default: 'sqlite' },
        /** PostgreSQL connection string; put it in SWITCHBOARD_STORE_URL, never in git. */
        url: { type: 'string' },
        /** PostgreSQL schema of Switchboard's tables, when the database is shared with others. */
        schema: { type: 'string', pattern: '^[a-z_][a-z0-9_]*$' },
      },
    },
    /** Several instances on one store.driver postgres database (src/wiring/duty-roster.ts). */
    cluster: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /**
         * How long a lease on a job run once per cluster (a schedule pull, the connector cycle, an import)
         * lasts without renewal: after a kill -9 another instance takes the job over within this plus a
         * third of it. Renewed every third of it.
         */
        leaseSeconds: { type: 'number', minimum: 3, maximum: 3600, default: 30 },
      },
    },
    /** Redis, for live notifications across instances (one store.driver postgres database). */
    redis: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** e.g. redis://127.0.0.1:6379; put it in SWITCHBOARD_REDIS_URL, never in git. */
        url: { type: 'string', minLength: 1 },
        /** The pub/sub channel the instances of one site share. */
        channel: { type: 'string', minLength: 1, default: 'switchboard:alerts' },
      },
    },
    /**
     * Census and nurse assignments from files or a nurse call system's export (src/wiring/census-imports.ts):
     * census-csv and staff-csv dropped in a folder or on SFTP, staff-rest pulled as JSON.
     */
    censusImports: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'kind'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
          kind: { enum: ['census-csv', 'staff-csv', 'staff-rest'] },
          everyMinutes: { type: 'number', exclusiveMinimum: 0, default: 30 },
          folder: { type: 'string', minLength: 1 },
          sftp: {
            type: 'object',
            additionalProperties: false,
            required: ['host', 'username', 'hostKey'],
            properties: {
              host: { type: 'string', minLength: 1 },
              port: { type: 'integer', minimum: 1, maximum: 65535, default: 22 },
              username: { type: 'string', minLength: 1 },
              password: { type: 'string', minLength: 1 },
              privateKey: { type: 'string', minLength: 1 },
              /** The server's SHA256 fingerprint as ssh-keygen -lf prints it: any other key is refused. */
              hostKey: { type: 'string', pattern: '^SHA256:' },
              path: { type: 'string', default: '.' },
              timeoutSeconds: { type: 'integer', minimum: 1, maximum: 600, default: 20 },
            },
          },
          files: { type: 'string', default: '*.csv' },
          settleSeconds: { type: 'integer', minimum: 0, default: 30 },
          url: { type: 'string', pattern: '^https?://' },
          token: { type: 'string', minLength: 1 },
          /** Which crosswalk id the staff column holds: employeeId, uniqueId, custom1…, or id (ours). */
          staffId: { type: 'string', default: 'employeeId' },
          columns: { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, default: {} },
          /** A patient this source admitted is discharged when missing from this many files in a row; 0: never. */
          dischargeAfterMissing: { type: 'integer', minimum: 0, default: 2 },
        },
      },
    },
    /** Links from alerts and messages into the EHR's chart (routing/ehr/deep-links.ts). */
    ehr: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** The PID-3 identifier the EHR opens a chart by (Epic's patient.1): its assigning authority and type. */
        patientId: {
          type: 'object',
          additionalProperties: false,
          default: { authority: '', type: 'MR' },
          properties: {
            authority: { type: 'string', default: '' },
            type: { type: 'string', default: 'MR' },
          },
        },
        /** The clinician page opened from inside the EHR (src/api/ehr-launch.ts, docs/messaging.md). */
        launch: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            /** Signs launch links (a secret: write ${ENV}); without it signed launches are refused. */
            sharedSecret: { type: 'string', minLength: 16 },
            maxAgeSeconds: { type: 'integer', minimum: 10, maximum: 3600, default: 300 },
            /** Origins of the EHR that may show the page in a frame (CSP frame-ancestors); none by default. */
            frameAncestors: {
              type: 'array',
              items: { type: 'string', pattern: '^https?://[^\\s;,]+$' },
              default: [],
            },
            smart: {
              type: 'object',
              additionalProperties: false,
              required: ['clientId', 'issuers'],
              properties: {
                clientId: { type: 'string', minLength: 1 },
                clientSecret: { type: 'string', minLength: 1 },
                scope: { type: 'string', default: 'launch openid fhirUser patient/Patient.read' },
                issuers: { type: 'array', items: { type: 'string', pattern: '^https?://' }, minItems: 1 },
                mrnIdentifier: {
                  type: 'object',
                  additionalProperties: false,
                  default: { type: 'MR' },
                  properties: { type: { type: 'string', default: 'MR' }, system: { type: 'string' } },
                },
              },
            },
          },
        },
        links: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['label', 'template'],
            properties: {
              label: { type: 'string', minLength: 1 },
              platforms: {
                type: 'array',
                items: { enum: ['ios', 'android', 'web'] },
                minItems: 1,
                uniqueItems: true,
                default: ['ios', 'android', 'web'],
              },
              template: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    },
    /** Clinicians messaging each other (routing/messaging). */
    messaging: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** An urgent message someone has not read after this many minutes becomes an alert to them. */
        urgentUnreadMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 1440, default: 5 },
        /** The escalation policy (rules folder) that alert follows; without one it pages the unread once. */
        urgentPolicy: { type: 'string', minLength: 1 },
        /** Conversations with no message for this many days are deleted. */
        retentionDays: { type: 'integer', minimum: 1, default: 365 },
      },
    },
    routing: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Folder of rule files, relative to the config folder. */
        rulesDir: { type: 'string', default: 'rules' },
        /** Group told about an alert that found nobody and whose rule has no escalation policy: never silence. */
        failsafeGroup: { type: 'string' },
        /** How often due escalation steps and batch digests are checked, in milliseconds. */
        cycleMs: { type: 'integer', minimum: 50, default: 1000 },
        /**
         * Minutes before an assignment has nobody reachable on call that the failsafe group is warned, once
         * per gap. Needs failsafeGroup; left out, nobody is warned.
         */
        coverageWarningMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 10080 },
        /** How routing shares the process with ingest (src/routing/router.ts RouterPacing). */
        pacing: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            /** Messages routed at once. */
            maxInFlight: { type: 'integer', minimum: 1, default: 64 },
            /** Messages started per turn of the event loop. */
            perTurn: { type: 'integer', minimum: 1, default: 16 },
            /** Arrivals per second above which acknowledging goes before routing. */
            burstPerSecond: { type: 'integer', minimum: 1, default: 2000 },
            /** Messages started per turn of the event loop during such a burst (routing never stops). */
            burstPerTurn: { type: 'integer', minimum: 1, default: 1 },
            /** Share of the time routing takes during such a burst. */
            burstShare: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.15 },
            /** Waiting messages whose bytes stay in memory; beyond it they are read back from the store. */
            maxQueuedBytesHeld: { type: 'integer', minimum: 0, default: 10000 },
            /**
             * Messages acknowledged and not yet routed at which MLLP listeners stop reading from their
             * senders, until half of them are routed: a sustained feed is acknowledged no faster than it
             * is routed, and a new message waits behind at most this many. 0 never holds a sender.
             */
            maxBacklog: { type: 'integer', minimum: 0, default: 1000 },
          },
        },
        /**
         * How much of one HL7 message routing reads at most (src/protocols/hl7/limits.ts). The message is
         * stored whole; a cut is noted in its status detail and logged without values.
         */
        limits: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            /** Repetitions of one field (PID-3, PV1-7, OBX-5). */
            maxRepetitions: { type: 'integer', minimum: 1, default: 100 },
            /** Components of one repetition, and subcomponents of one component. */
            maxComponents: { type: 'integer', minimum: 1, default: 100 },
            /** Segments of one message. */
            maxSegments: { type: 'integer', minimum: 1, default: 10000 },
          },
        },
        /** Quarantine of a message whose routing throws, takes too long or stops the process (src/routing/poison-guard.ts). */
        poisonGuard: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            /**
             * Milliseconds routing may spend on one message, checked between its steps. Wall time: it
             * includes waits for the disk and other messages' turns, so it sits far above normal routing
             * (p99 under a second in a 1,000 msgs/s burst here) and stops only a runaway message; a
             * critical result quarantined by a busy moment would page nobody.
             */
            budgetMs: { type: 'integer', minimum: 100, default: 10000 },
            /** Routing starts after restarts a message may have without finishing; then it is quarantined. */
            maxAttempts: { type: 'integer', minimum: 1, default: 2 },
          },
        },
      },
    },
    /** The WCTP gateway at POST /wctp and its nurse-call routing (src/listeners/wctp, src/routing/sources/wctp). */
    wctp: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        gatewayId: { type: 'string', minLength: 1, default: 'switchboard' },
        maxBodyBytes: { type: 'integer', minimum: 1024, default: 262144 },
        maxMessageLength: { type: 'integer', minimum: 1, default: 2000 },
        maxChoices: { type: 'integer', minimum: 1, default: 8 },
        maxRecipients: { type: 'integer', minimum: 1, default: 50 },
        pollIntervalSeconds: { type: 'integer', minimum: 0, default: 5 },
        maxQueuedPerSender: { type: 'integer', minimum: 1, default: 1000 },
        signIn: wctpSignInSchema,
        senders: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['senderID'],
            properties: {
              senderID: { type: 'string', minLength: 1 },
              /** Write `${SOME_ENV_VAR}`: security codes are secrets. */
              securityCode: { type: 'string', minLength: 1 },
              /** Or its hash from `switchboard hash-password`, safe in git. */
              securityCodeHash: { type: 'string', pattern: '^scrypt\\$' },
              transient: { type: 'boolean', default: false },
            },
          },
        },
        push: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            attempts: { type: 'integer', minimum: 1, maximum: 100, default: 6 },
            firstRetrySeconds: { type: 'number', minimum: 0, default: 2 },
            maxRetrySeconds: { type: 'number', minimum: 0, default: 300 },
            timeoutSeconds: { type: 'number', minimum: 0.1, default: 10 },
          },
        },
        /** recipientID patterns → who; checked in detail by src/routing/sources/wctp/routing-table.ts. */
        recipients: { type: 'array', default: [], items: { type: 'object' } },
        /** Nurse-call and telemetry event types, recognised by words. */
        events: { type: 'array', default: [], items: { type: 'object' } },
        nurseCall: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            escalation: { type: 'string' },
            techRole: { type: 'string', default: 'tech' },
            nurseRole: { type: 'string', default: 'nurse' },
          },
        },
      },
    },
    accounts: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['username', 'role', 'passwordHash'],
        properties: {
          username: { type: 'string', minLength: 1 },
          /** The directory person this account signs in as (clinicians). */
          person: { type: 'string' },
          role: { enum: ['clinician', 'analyst', 'admin'] },
          /** From `switchboard hash-password`; never a clear-text password. */
          passwordHash: { type: 'string', pattern: '^scrypt\\$' },
        },
      },
    },
    /** Sessions, single sign-on, provisioning (src/config/identity-schema.ts, docs/sign-in.md). */
    identity: identitySchema,
    apiTokens: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'role', 'token'],
        properties: {
          name: { type: 'string', minLength: 1 },
          role: { enum: ['clinician', 'analyst', 'admin'] },
          /** Write `${SOME_ENV_VAR}`: tokens are secrets. */
          token: { type: 'string', minLength: 16 },
        },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
      },
    },
    metrics: metricsSchema,
    operations: operationsSchema,
  },
} as const;
