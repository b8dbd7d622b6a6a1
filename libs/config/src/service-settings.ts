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
    AMQP_URL: z
      .url({ protocol: /^amqps?$/, error: 'must be an amqp:// or amqps:// URL' })
      .describe(`Broker URL with the ${serviceName} user (least privilege) and the vhost`),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info').describe('Minimum level of the JSON log lines'),
  };
}
