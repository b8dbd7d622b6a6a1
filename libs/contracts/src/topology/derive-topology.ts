import { deadLetterExchangeOf, deadLetterQueueOf, retryExchangeOf, retryQueueOf } from './names';
import { RetryDefaults } from './topology';
import type {
  ExchangeDeclaration,
  Permissions,
  QueueDeclaration,
  RetryDeclaration,
  TopologyDeclaration,
} from './topology-types';

export interface ResolvedBinding {
  exchange: string;
  routingKey: string;
  /** The way back from the queue's delay tiers (routing key = the queue's name), not a message type. */
  retryReturn?: true;
}

/** A work queue's retry ladder as the broker holds it. */
export interface ResolvedRetry {
  /** The owner's retry exchange: a retry is published there with routing key = its tier's queue. */
  exchange: string;
  /** Handlings in all, the first included. */
  maxAttempts: number;
  /** Ascending delays; only the tiers `maxAttempts` can reach (none when it is 1). */
  tiers: Array<{ queue: string; delayMs: number }>;
}

/** A queue as the broker sees it: name, arguments and the bindings into it. */
export interface ResolvedQueue {
  name: string;
  owner: string;
  /** `work`: consumed by its owner; `retry-tier`: a delay queue, never consumed; `dead-letter`: the parking lot. */
  kind: 'work' | 'retry-tier' | 'dead-letter';
  arguments: Record<string, string | number>;
  bindings: ResolvedBinding[];
  /** True for the parking lot of a work queue. */
  deadLetter: boolean;
  /** Work queues: their retry ladder. */
  retry?: ResolvedRetry;
}

/** Everything one service declares or relies on: what `libs/messaging` asserts at startup. */
export interface ServiceTopology {
  service: string;
  /** Exchanges the service owns (declared by it) and the ones it only uses (checked to exist). */
  exchanges: ExchangeDeclaration[];
  queues: ResolvedQueue[];
  /** Exchanges of other contexts it publishes to or binds from: they must already exist. */
  uses: string[];
}

const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anyOf = (names: Iterable<string>) => {
  const unique = [...new Set(names)].sort();
  return unique.length === 0 ? '^$' : `^(${unique.map(escape).join('|')})$`;
};

/**
 * The arguments a work queue is declared with. Dead-lettering is an argument (not a policy) so that a
 * queue can never exist without it: a rejected message always has somewhere to go.
 * `at-least-once` dead-lettering (quorum queues, RabbitMQ 3.10+) keeps the message in the source queue
 * until the dead-letter queue confirmed it; it requires `reject-publish` overflow.
 */
export function workQueueArguments(queue: QueueDeclaration): Record<string, string | number> {
  const common = {
    'x-dead-letter-exchange': deadLetterExchangeOf(queue.owner),
    'x-dead-letter-routing-key': queue.name,
  };
  if (queue.type === 'classic') return { 'x-queue-type': 'classic', ...common };
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': queue.deliveryLimit,
    ...common,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/**
 * Dead-letter queues are classic (durable) queues on purpose: operators browse them (`dlq peek` returns
 * messages to the queue), and a quorum queue counts every return towards its delivery limit (20 by
 * default on 4.x), which would silently drop a dead letter after a few peeks.
 */
export const deadLetterQueueArguments = { 'x-queue-type': 'classic' } as const;

/**
 * The arguments of a delay tier. Nobody consumes it: a message waits out the TTL, then the broker
 * dead-letters it through the owner's retry exchange back to the work queue (routing key = the work
 * queue, so it reaches that queue only, not every queue bound to the original topic exchange).
 *
 * - The queue TTL is the tier's delay and the longest wait; retries also carry a per-message
 *   `expiration` at or below it (jitter). Every message of a tier expires within [(1 - jitter) × delay,
 *   delay] of its publish, so one waiting at the head delays the ones behind it by less than that spread.
 * - Quorum, not classic, even though classic would be lighter: only quorum queues dead-letter
 *   `at-least-once` (RabbitMQ 3.10+; it needs `reject-publish`), which keeps an expired message in the
 *   tier until the work queue confirmed it. A classic tier dead-letters at most once: a message expiring
 *   while the work queue is unavailable would be lost. Quorum queues support message TTL since 3.10.
 * - The broker does not check permissions when it dead-letters; declaring the tier does (write on its
 *   dead-letter exchange), which is why the way back is the owner's own `<service>.retry` exchange and
 *   never the default exchange, which services may not write to.
 */
export function retryTierArguments(queue: QueueDeclaration, delayMs: number): Record<string, string | number> {
  return {
    'x-queue-type': 'quorum',
    'x-message-ttl': delayMs,
    'x-dead-letter-exchange': retryExchangeOf(queue.owner),
    'x-dead-letter-routing-key': queue.name,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/** Longest tier delay accepted (24 h): a longer wait is a job for an operator, not a retry. */
const MAX_RETRY_DELAY_MS = 86_400_000;

/** The queue's retry ladder with the defaults filled in; refuses a declaration that cannot work, naming the queue. */
export function resolveRetry(queue: QueueDeclaration): ResolvedRetry {
  const declared: RetryDeclaration = queue.retry ?? RetryDefaults;
  const problem = (what: string) => new RangeError(`retry of queue "${queue.name}": ${what}`);
  if (!Number.isInteger(declared.maxAttempts) || declared.maxAttempts < 1) {
    throw problem(`maxAttempts must be an integer >= 1, got ${declared.maxAttempts}`);
  }
  declared.delaysMs.forEach((delay, i) => {
    if (!Number.isInteger(delay) || delay < 1 || delay > MAX_RETRY_DELAY_MS) {
      throw problem(`delaysMs[${i}] must be an integer in 1..${MAX_RETRY_DELAY_MS} ms, got ${delay}`);
    }
    if (i > 0 && delay <= declared.delaysMs[i - 1]) throw problem(`delaysMs must be strictly ascending, got ${declared.delaysMs.join(', ')}`);
  });
  if (declared.maxAttempts > 1 && declared.delaysMs.length === 0) {
    throw problem(`maxAttempts ${declared.maxAttempts} needs at least one delay in delaysMs`);
  }
  return {
    exchange: retryExchangeOf(queue.owner),
    maxAttempts: declared.maxAttempts,
    tiers: declared.delaysMs
      .slice(0, declared.maxAttempts - 1)
      .map((delayMs) => ({ queue: retryQueueOf(queue.name, delayMs), delayMs })),
  };
}

/** Work queues with their delay tiers and dead-letter queues, as the broker will hold them. */
export function resolveQueues(topology: TopologyDeclaration): ResolvedQueue[] {
  return topology.queues.flatMap((queue): ResolvedQueue[] => {
    const retry = resolveRetry(queue);
    const messageBindings: ResolvedBinding[] = queue.bindings.flatMap((binding) =>
      binding.messages.map((message) => ({ exchange: binding.exchange, routingKey: message.type })),
    );
    const returnBinding: ResolvedBinding[] =
      retry.tiers.length > 0 ? [{ exchange: retry.exchange, routingKey: queue.name, retryReturn: true }] : [];
    return [
      {
        name: queue.name,
        owner: queue.owner,
        kind: 'work',
        arguments: workQueueArguments(queue),
        bindings: [...messageBindings, ...returnBinding],
        deadLetter: false,
        retry,
      },
      ...retry.tiers.map(
        (tier): ResolvedQueue => ({
          name: tier.queue,
          owner: queue.owner,
          kind: 'retry-tier',
          arguments: retryTierArguments(queue, tier.delayMs),
          bindings: [{ exchange: retry.exchange, routingKey: tier.queue }],
          deadLetter: false,
        }),
      ),
      {
        name: deadLetterQueueOf(queue.name),
        owner: queue.owner,
        kind: 'dead-letter',
        arguments: { ...deadLetterQueueArguments },
        bindings: [{ exchange: deadLetterExchangeOf(queue.owner), routingKey: queue.name }],
        deadLetter: true,
      },
    ];
  });
}

/**
 * Declared exchanges plus, per service that owns a queue, its dead-letter exchange and (when any of its
 * queues retries) its retry exchange.
 */
export function resolveExchanges(topology: TopologyDeclaration): ExchangeDeclaration[] {
  const owners = [...new Set(topology.queues.map((queue) => queue.owner))];
  const retrying = new Set(topology.queues.filter((queue) => resolveRetry(queue).tiers.length > 0).map((queue) => queue.owner));
  return [
    ...topology.exchanges,
    ...owners.flatMap((owner) => [
      { name: deadLetterExchangeOf(owner), type: 'direct' as const, owner },
      ...(retrying.has(owner) ? [{ name: retryExchangeOf(owner), type: 'direct' as const, owner }] : []),
    ]),
  ];
}

/**
 * Least privilege, derived from the declaration so it cannot drift from it:
 * - configure: only what the service owns (its `<service>.*` queues and exchanges, its context's exchanges);
 * - write: exchanges it publishes to, and its own queues (binding a queue needs write on it);
 * - read: its own queues, and the exchanges its queues are bound from (binding needs read on the source).
 *
 * The retry ladder needs nothing beyond `<service>.*`: the service publishes retries to its own
 * `<service>.retry` exchange and dead letters to its own `<service>.dead-letter`; declaring a queue with
 * a dead-letter exchange needs write on that exchange, again its own. The way back from a tier to the
 * work queue is the broker's dead-lettering, which is not permission-checked. So no service can write
 * to another context's command exchange or to the default exchange (which reaches every queue).
 */
export function permissionsFor(topology: TopologyDeclaration, service: string): Permissions {
  const declaration = topology.services.find((s) => s.name === service);
  if (!declaration) throw new Error(`no service "${service}" in the topology`);
  const ownPrefix = `${escape(service)}\\..*`;
  const ownExchanges = topology.exchanges.filter((e) => e.owner === service).map((e) => e.name);
  const bindsFrom = resolveQueues(topology)
    .filter((queue) => queue.owner === service)
    .flatMap((queue) => queue.bindings.map((binding) => binding.exchange));
  // Names under the service's own prefix are covered by `ownPrefix` already.
  const others = (names: string[]) => names.filter((name) => !name.startsWith(`${service}.`));
  const withOwn = (pattern: string) => (pattern === '^$' ? `^${ownPrefix}$` : `^(${ownPrefix}|${pattern.slice(2, -2)})$`);
  return {
    configure: withOwn(anyOf(others(ownExchanges))),
    write: withOwn(anyOf(others([...declaration.publishesTo]))),
    read: withOwn(anyOf(others(bindsFrom))),
  };
}

/** The part of the topology one service asserts at startup. */
export function topologyOf(topology: TopologyDeclaration, service: string): ServiceTopology {
  const declaration = topology.services.find((s) => s.name === service);
  if (!declaration) throw new Error(`no service "${service}" in the topology`);
  const exchanges = resolveExchanges(topology).filter((e) => e.owner === service);
  const queues = resolveQueues(topology).filter((q) => q.owner === service);
  const owned = new Set(exchanges.map((e) => e.name));
  const uses = [
    ...declaration.publishesTo,
    ...queues.flatMap((queue) => queue.bindings.map((binding) => binding.exchange)),
  ].filter((name) => !owned.has(name));
  return { service, exchanges, queues, uses: [...new Set(uses)].sort() };
}
