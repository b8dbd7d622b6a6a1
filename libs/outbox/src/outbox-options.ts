import type { OutboxDatabase } from './database-client';
import { OutboxDefaults, type OutboxSettings } from './outbox-defaults';

/** Injection token of the resolved options (defaults filled in). */
export const OUTBOX_OPTIONS = Symbol('OUTBOX_OPTIONS');

/** What a service passes to `OutboxModule.forRootAsync` (defaults and their reasons in `outbox-defaults.ts`). */
export interface OutboxModuleOptions extends Partial<OutboxSettings> {
  /** The service's Prisma client (`DatabaseModule` provides it): the inbox runs handlers in its transactions. */
  database: OutboxDatabase;
  /**
   * postgres:// URL of the same database, for the relay's own connections: a LISTEN connection and
   * up to `workers + 1` for claims and cleanup.
   */
  databaseUrl: string;
  /** Run a relay in this process (default true). Several instances may each run one. */
  runRelay?: boolean;
  /** Shown in pg_stat_activity (application_name) and in log lines, e.g. the service name. */
  relayName?: string;
}

export type ResolvedOutboxOptions = OutboxSettings & Required<OutboxModuleOptions>;

/** Fills in the defaults and refuses values that would silently misbehave. */
export function resolveOutboxOptions(options: OutboxModuleOptions): ResolvedOutboxOptions {
  const resolved: ResolvedOutboxOptions = {
    ...OutboxDefaults,
    runRelay: true,
    relayName: 'outbox-relay',
    ...withoutUndefined(options),
    database: options.database,
    databaseUrl: options.databaseUrl,
  };
  if (!resolved.database) throw new RangeError('outbox option database (the service Prisma client) is required');
  if (!resolved.databaseUrl) throw new RangeError('outbox option databaseUrl is required');
  for (const name of ['batchSize', 'workers', 'cleanupBatchSize', 'cleanupMaxBatches'] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 1) {
      throw new RangeError(`outbox option ${name} must be an integer >= 1, got ${resolved[name]}`);
    }
  }
  for (const [name, value] of Object.entries(resolved)) {
    if (name.endsWith('Ms') && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new RangeError(`outbox option ${name} must be a number of milliseconds >= 0, got ${String(value)}`);
    }
  }
  if (resolved.pollIntervalMs < 1) throw new RangeError('outbox option pollIntervalMs must be >= 1 ms');
  if (resolved.retryMaxDelayMs < resolved.retryBaseDelayMs) {
    throw new RangeError('outbox option retryMaxDelayMs must not be below retryBaseDelayMs');
  }
  return resolved;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
