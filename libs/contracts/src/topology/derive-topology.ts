import { deadLetterExchangeOf, deadLetterQueueOf } from './names';
import type {
  ExchangeDeclaration,
  Permissions,
  QueueDeclaration,
  TopologyDeclaration,
} from './topology-types';

/** A queue or exchange as the broker sees it: name, arguments and the bindings into it. */
export interface ResolvedQueue {
  name: string;
  owner: string;
  arguments: Record<string, string | number>;
  bindings: Array<{ exchange: string; routingKey: string }>;
  /** True for the parking lot of a work queue. */
  deadLetter: boolean;
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

/** Work queues with their dead-letter queues, as the broker will hold them. */
export function resolveQueues(topology: TopologyDeclaration): ResolvedQueue[] {
  return topology.queues.flatMap((queue) => [
    {
      name: queue.name,
      owner: queue.owner,
      arguments: workQueueArguments(queue),
      bindings: queue.bindings.flatMap((binding) =>
        binding.messages.map((message) => ({ exchange: binding.exchange, routingKey: message.type })),
      ),
      deadLetter: false,
    },
    {
      name: deadLetterQueueOf(queue.name),
      owner: queue.owner,
      arguments: { ...deadLetterQueueArguments },
      bindings: [{ exchange: deadLetterExchangeOf(queue.owner), routingKey: queue.name }],
      deadLetter: true,
    },
  ]);
}

/** Declared exchanges plus one dead-letter exchange per service that owns a queue. */
export function resolveExchanges(topology: TopologyDeclaration): ExchangeDeclaration[] {
  const owners = [...new Set(topology.queues.map((queue) => queue.owner))];
  return [
    ...topology.exchanges,
    ...owners.map((owner) => ({ name: deadLetterExchangeOf(owner), type: 'direct' as const, owner })),
  ];
}

/**
 * Least privilege, derived from the declaration so it cannot drift from it:
 * - configure: only what the service owns (its `<service>.*` queues and exchanges, its context's exchanges);
 * - write: exchanges it publishes to, and its own queues (binding a queue needs write on it);
 * - read: its own queues, and the exchanges its queues are bound from (binding needs read on the source).
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
