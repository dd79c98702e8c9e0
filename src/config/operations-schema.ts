/**
 * `metrics:` (the Prometheus endpoint) and `operations:` (the analyst console's dashboard) in
 * switchboard.yaml. /metrics is off unless turned on, and then answers only with its bearer token
 * (`token: ${METRICS_TOKEN}`) or on a port of its own that a site keeps to its monitoring network.
 */
export const metricsSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    enabled: { type: 'boolean', default: false },
    /** A bearer token the scraper sends; write it `${ENV_NAME}`, never in git. */
    token: { type: 'string', minLength: 16 },
    /** A port of its own for /metrics (0 picks one); without it /metrics is on the HTTP port. */
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    /** Where that port listens. */
    host: { type: 'string', default: '127.0.0.1' },
  },
} as const;

export const operationsSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    /**
     * Minutes without a message after which an interface is shown as quiet: `default` for every sender,
     * and per sender by its MSH-3 (with `^MSH-4` when it sends one). 0 never warns.
     */
    quietMinutes: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        default: { type: 'integer', minimum: 0, default: 0 },
        senders: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 }, default: {} },
      },
    },
  },
} as const;

export interface MetricsConfig {
  enabled: boolean;
  token?: string;
  port?: number;
  host: string;
}

export interface OperationsConfig {
  quietMinutes: { default: number; senders: Record<string, number> };
}
