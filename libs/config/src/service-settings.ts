import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * The settings every Orderly service has, under the same names in every service (each process has
 * its own environment). A service spreads these into its own `defineConfig` and adds its own keys.
 */
export function serviceSettings(serviceName: string, defaults: { port: number }) {
  return {
    PORT: z.coerce
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(defaults.port)
      .describe('HTTP port of the API, /health and /metrics'),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
      .describe(`PostgreSQL database owned by ${serviceName} (no other service reads it)`),
    DATABASE_POOL_SIZE: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe(
        'Database connections of this process (HTTP requests and message handlers share them; the outbox relay has its own)',
      ),
    AMQP_URL: z
      .url({ protocol: /^amqps?$/, error: 'must be an amqp:// or amqps:// URL' })
      .describe(`Broker URL with the ${serviceName} user (least privilege) and the vhost`),
    AMQP_TLS_CA_FILE: z
      .string()
      .min(1)
      .optional()
      .describe("PEM file of the CA that signed the broker certificate (amqps:// only; default: Node's CAs)"),
    AMQP_TLS_CERT_FILE: z
      .string()
      .min(1)
      .optional()
      .describe('PEM client certificate for mutual TLS (with AMQP_TLS_KEY_FILE)'),
    AMQP_TLS_KEY_FILE: z.string().min(1).optional().describe('PEM key of AMQP_TLS_CERT_FILE'),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info').describe('Minimum level of the JSON log lines'),
  };
}

/** The TLS files of the broker connection, in the shape of the messaging option `tls`. */
export function amqpTlsOf(settings: {
  AMQP_TLS_CA_FILE?: string;
  AMQP_TLS_CERT_FILE?: string;
  AMQP_TLS_KEY_FILE?: string;
}) {
  return {
    caFile: settings.AMQP_TLS_CA_FILE,
    certFile: settings.AMQP_TLS_CERT_FILE,
    keyFile: settings.AMQP_TLS_KEY_FILE,
  };
}
