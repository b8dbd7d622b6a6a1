import { Topology, type TopologyDeclaration } from '@orderly/contracts';
import { type AmqpTlsFiles, validateTlsOptions } from './connection/amqp-tls';
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
  /** Fraction (0 ≤ x < 1) by which a retry's delay may be shortened at random. */
  retryJitter?: number;
  /**
   * Per-queue override of the topology's `maxAttempts` (handlings in all, the first included), by queue
   * name. Attempts beyond the queue's declared tiers wait in its last tier; 1 parks at the first failure.
   */
  maxAttemptsByQueue?: Readonly<Record<string, number>>;
  /** Largest message body accepted by a consumer, in bytes; bigger ones are parked unread. */
  maxMessageBytes?: number;
  /** PEM files for an amqps:// url: `caFile` to verify the broker, `certFile` + `keyFile` for mutual TLS. */
  tls?: AmqpTlsFiles;
}

export type ResolvedMessagingOptions = Required<Omit<MessagingModuleOptions, 'prefetchByQueue' | 'maxAttemptsByQueue' | 'tls'>> & {
  tls?: AmqpTlsFiles;
  prefetchByQueue: Readonly<Record<string, number>>;
  maxAttemptsByQueue: Readonly<Record<string, number>>;
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
    maxAttemptsByQueue: options.maxAttemptsByQueue ?? {},
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
  const atLeastOne = {
    maxMessageBytes: resolved.maxMessageBytes,
    ...Object.fromEntries(Object.entries(resolved.maxAttemptsByQueue).map(([queue, n]) => [`maxAttemptsByQueue.${queue}`, n])),
  };
  for (const [name, value] of Object.entries(atLeastOne)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`messaging option ${name} must be an integer >= 1, got ${value}`);
  }
  if (!(typeof resolved.retryJitter === 'number' && resolved.retryJitter >= 0 && resolved.retryJitter < 1)) {
    throw new RangeError(`messaging option retryJitter must be a number in [0, 1) (a fraction of the delay), got ${resolved.retryJitter}`);
  }
  if (!resolved.url) throw new RangeError('messaging option url is required');
  validateTlsOptions(resolved.url, resolved.tls);
  if (!resolved.service) throw new RangeError('messaging option service (or connectionName) is required');
  return resolved;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
