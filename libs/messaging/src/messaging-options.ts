import { Topology, type TopologyDeclaration } from '@orderly/contracts';
import { MessagingDefaults } from './messaging-defaults';

/** Injection token of the resolved options (defaults filled in). */
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

/** What a service passes to `MessagingModule.forRootAsync` (defaults in `messaging-defaults.ts`). */
export interface MessagingModuleOptions {
  /** amqp:// URL including the service's own user and the vhost. */
  url: string;
  /** Shown in the broker's management UI, so operators can tell connections apart. */
  connectionName: string;
  /**
   * The service whose queues the server consumes and whose part of the topology it asserts.
   * Defaults to `connectionName` (set it when the connection name carries an instance suffix).
   */
  service?: string;
  /** The declaration to take the service's topology from. Defaults to Orderly's `Topology`; tests inject their own. */
  topology?: TopologyDeclaration;
  /** Unacknowledged deliveries per queue consumer, unless overridden for the queue. */
  prefetch?: number;
  /** Per-queue prefetch, by queue name (`Queues.inventoryCommands`). */
  prefetchByQueue?: Readonly<Record<string, number>>;
  maxInFlightPublishes?: number;
  backpressureTimeoutMs?: number;
  confirmTimeoutMs?: number;
  shutdownTimeoutMs?: number;
  startupConnectTimeoutMs?: number;
  channelReopenDelayMs?: number;
  topologyRetryDelayMs?: number;
  reconnectSeconds?: number;
  heartbeatSeconds?: number;
  maxErrorHeaderBytes?: number;
}

export type ResolvedMessagingOptions = Required<Omit<MessagingModuleOptions, 'prefetchByQueue'>> & {
  prefetchByQueue: Readonly<Record<string, number>>;
};

/** Fills in the defaults and refuses values that would silently misbehave (zero prefetch = unlimited). */
export function resolveMessagingOptions(options: MessagingModuleOptions): ResolvedMessagingOptions {
  const resolved: ResolvedMessagingOptions = {
    ...MessagingDefaults,
    topology: Topology,
    ...withoutUndefined(options),
    url: options.url,
    connectionName: options.connectionName,
    service: options.service ?? options.connectionName,
    prefetchByQueue: options.prefetchByQueue ?? {},
  };
  const positiveIntegers = {
    prefetch: resolved.prefetch,
    maxInFlightPublishes: resolved.maxInFlightPublishes,
    ...Object.fromEntries(Object.entries(resolved.prefetchByQueue).map(([queue, n]) => [`prefetchByQueue.${queue}`, n])),
  };
  for (const [name, value] of Object.entries(positiveIntegers)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`messaging option ${name} must be an integer >= 1 (0 would mean unlimited), got ${value}`);
    }
  }
  if (!resolved.url) throw new RangeError('messaging option url is required');
  if (!resolved.service) throw new RangeError('messaging option service (or connectionName) is required');
  return resolved;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
