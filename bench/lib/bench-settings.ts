/**
 * The environment variables every suite understands, read in this one place. A suite derives its own
 * numbers from `scale` (see e.g. suites/messaging/messaging-settings.ts).
 */
export const BenchEnv = {
  /** amqp://user:pass@host:port of an existing broker (its `/` vhost) instead of starting one. */
  amqpUrl: 'BENCH_AMQP_URL',
  /** http://user:pass@host:port of that broker's management API (an administrator). */
  managementUrl: 'BENCH_MANAGEMENT_URL',
  /** Multiplies every message count; 0.1 gives a quick smoke run, 2 a steadier one. Default 1. */
  scale: 'BENCH_SCALE',
} as const;

export interface BenchSettings {
  /** Set when both URLs are given: the suites use that broker and start none. */
  existingBroker?: { amqpUrl: string; managementUrl: string };
  scale: number;
}

export function readBenchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const amqpUrl = env[BenchEnv.amqpUrl];
  const managementUrl = env[BenchEnv.managementUrl];
  if (Boolean(amqpUrl) !== Boolean(managementUrl)) {
    throw new Error(
      `set both ${BenchEnv.amqpUrl} and ${BenchEnv.managementUrl}, or neither (a broker is then started)`,
    );
  }
  return {
    existingBroker: amqpUrl && managementUrl ? { amqpUrl, managementUrl } : undefined,
    scale: positiveNumber(env, BenchEnv.scale, 1),
  };
}

/** A positive number from the environment, or the default when unset; anything else stops the run. */
export function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}
