import {
  permissionsFor,
  resolveExchanges,
  resolveQueues,
  type ExchangeType,
  type TopologyDeclaration,
} from '@orderly/contracts';

/**
 * RabbitMQ's definitions format (what `rabbitmqctl export_definitions` writes and `load_definitions`
 * reads), restricted to what Orderly declares. `rabbit_version` is left out on purpose: the same file
 * is imported by 3.10 (Debian, tests) and 4.x (Docker image), and neither needs it.
 */
export interface BrokerDefinitions {
  users: DefinitionUser[];
  vhosts: Array<{ name: string }>;
  permissions: DefinitionPermission[];
  topic_permissions: never[];
  parameters: never[];
  global_parameters: never[];
  policies: DefinitionPolicy[];
  queues: DefinitionQueue[];
  exchanges: DefinitionExchange[];
  bindings: DefinitionBinding[];
}

export interface DefinitionUser {
  name: string;
  /**
   * Empty on purpose: no secret is committed, and a user with an empty hash cannot log in (checked on
   * 3.10 by `definitions-import.int-spec.ts`) until `provision` gives it a password.
   */
  password_hash: string;
  hashing_algorithm: 'rabbit_password_hashing_sha256';
  tags: string[];
  limits: Record<string, never>;
}

export interface DefinitionPermission {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

export interface DefinitionPolicy {
  vhost: string;
  name: string;
  pattern: string;
  'apply-to': 'queues' | 'exchanges' | 'all';
  definition: Record<string, string | number | boolean>;
  priority: number;
}

export interface DefinitionQueue {
  name: string;
  vhost: string;
  durable: true;
  auto_delete: false;
  arguments: Record<string, string | number>;
}

export interface DefinitionExchange {
  name: string;
  vhost: string;
  type: ExchangeType;
  durable: true;
  auto_delete: false;
  internal: false;
  arguments: Record<string, never>;
}

export interface DefinitionBinding {
  source: string;
  vhost: string;
  destination: string;
  destination_type: 'queue';
  routing_key: string;
  arguments: Record<string, never>;
}

export interface DefinitionsOptions {
  /** The vhost to declare everything in; the topology's own (`orderly`) by default. */
  vhost?: string;
  /**
   * Put before every service's user name. Users are global to a broker, so two environments (or two test
   * files) sharing one broker need distinct users; empty by default.
   */
  userPrefix?: string;
}

/** The broker user name of a service, given the prefix of the environment. */
export const brokerUserOf = (service: string, userPrefix = ''): string => `${userPrefix}${service}`;

/**
 * The topology as RabbitMQ definitions: vhost, one passwordless user per service with least-privilege
 * permissions, exchanges (including the dead-letter ones), queues with their arguments, bindings and
 * policies. Every list is sorted, so the output only changes when the topology does.
 */
export function buildDefinitions(
  topology: TopologyDeclaration,
  options: DefinitionsOptions = {},
): BrokerDefinitions {
  const vhost = options.vhost ?? topology.vhost;
  const services = topology.services.map((service) => service.name);
  const queues = resolveQueues(topology);

  return {
    users: sortBy(
      services.map((service) => ({
        name: brokerUserOf(service, options.userPrefix),
        password_hash: '',
        hashing_algorithm: 'rabbit_password_hashing_sha256' as const,
        tags: [],
        limits: {},
      })),
      (user) => [user.name],
    ),
    vhosts: [{ name: vhost }],
    permissions: sortBy(
      services.map((service) => ({
        user: brokerUserOf(service, options.userPrefix),
        vhost,
        ...permissionsFor(topology, service),
      })),
      (permission) => [permission.user],
    ),
    topic_permissions: [],
    parameters: [],
    global_parameters: [],
    policies: sortBy(
      topology.policies.map((policy) => ({
        vhost,
        name: policy.name,
        pattern: policy.pattern,
        'apply-to': policy.applyTo,
        definition: { ...policy.definition },
        priority: policy.priority,
      })),
      (policy) => [policy.name],
    ),
    queues: sortBy(
      queues.map((queue) => ({
        name: queue.name,
        vhost,
        durable: true as const,
        auto_delete: false as const,
        arguments: { ...queue.arguments },
      })),
      (queue) => [queue.name],
    ),
    exchanges: sortBy(
      resolveExchanges(topology).map((exchange) => ({
        name: exchange.name,
        vhost,
        type: exchange.type,
        durable: true as const,
        auto_delete: false as const,
        internal: false as const,
        arguments: {},
      })),
      (exchange) => [exchange.name],
    ),
    bindings: sortBy(
      queues.flatMap((queue) =>
        queue.bindings.map((binding) => ({
          source: binding.exchange,
          vhost,
          destination: queue.name,
          destination_type: 'queue' as const,
          routing_key: binding.routingKey,
          arguments: {},
        })),
      ),
      (binding) => [binding.source, binding.destination, binding.routing_key],
    ),
  };
}

/** The file's exact content: two-space JSON with a final newline, as editors and Prettier leave it. */
export function renderDefinitions(definitions: BrokerDefinitions): string {
  return `${JSON.stringify(definitions, null, 2)}\n`;
}

/** Sorts by a tuple of strings, by code unit (not locale), so the order is the same on every machine. */
function sortBy<T>(items: T[], key: (item: T) => string[]): T[] {
  const compare = (a: string[], b: string[]): number => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const [x = '', y = ''] = [a[i], b[i]];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
  return [...items].sort((a, b) => compare(key(a), key(b)));
}
