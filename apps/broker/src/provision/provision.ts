import { Topology, type TopologyDeclaration } from '@orderly/contracts';
import {
  brokerUserOf,
  buildDefinitions,
  type DefinitionExchange,
  type DefinitionQueue,
} from '../definitions/build-definitions';
import { apiPath, ManagementClient, type ManagementCredentials } from './management-client';
import { MissingPasswordsError, type ServicePasswords } from './service-passwords';
import {
  TopologyConflictError,
  type PropertyDifference,
  type TopologyConflict,
} from './topology-conflict.error';

export interface ProvisionOptions {
  /** `http://admin:secret@host:15672` (credentials in the URL, or in `credentials`). */
  managementUrl: string;
  credentials?: ManagementCredentials;
  /** The vhost to provision; the topology's own (`orderly`) by default. Tests pass one vhost per file. */
  vhost?: string;
  /** Put before every service's user name (users are global to a broker); empty by default. */
  userPrefix?: string;
  /** The password of every service's user, by service name. */
  passwords: ServicePasswords;
  topology?: TopologyDeclaration;
}

export interface ProvisionResult {
  vhost: string;
  brokerVersion: string;
  /** What did not exist before this run (empty lists on a second run). */
  created: { vhost: boolean; exchanges: string[]; queues: string[]; bindings: number };
  /** Users whose password, tags and permissions were set (every service, every run). */
  users: string[];
  policies: string[];
  /** Bindings into declared queues that the topology does not declare: left in place, reported. */
  undeclaredBindings: Array<{ source: string; destination: string; routingKey: string }>;
}

interface BrokerQueue {
  name: string;
  durable: boolean;
  auto_delete: boolean;
  arguments: Record<string, unknown>;
}
interface BrokerExchange {
  name: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
  internal: boolean;
  arguments: Record<string, unknown>;
}
interface BrokerBinding {
  source: string;
  destination: string;
  destination_type: string;
  routing_key: string;
}

/**
 * Applies the topology to a broker through the management HTTP API: vhost, exchanges, queues, bindings,
 * policies, then one user per service with its password and least-privilege permissions.
 *
 * Why individual requests and not `POST /api/definitions`: an import keeps an existing queue with other
 * arguments silently (checked on 3.10), and cannot say what differs. Here the vhost's current objects are
 * read first and compared with the declaration; any difference stops the run before anything changes
 * (`TopologyConflictError`). Then only missing exchanges, queues and bindings are created, and policies,
 * users and permissions are set to their declared values, so running it again changes nothing.
 * It never deletes: objects the topology no longer declares are left for an operator (bindings are reported).
 */
export async function provisionTopology(options: ProvisionOptions): Promise<ProvisionResult> {
  const topology = options.topology ?? Topology;
  const missing = topology.services.map((s) => s.name).filter((service) => !options.passwords[service]);
  if (missing.length > 0) throw new MissingPasswordsError(missing);

  const api = new ManagementClient(options.managementUrl, options.credentials);
  const desired = buildDefinitions(topology, { vhost: options.vhost, userPrefix: options.userPrefix });
  const vhost = options.vhost ?? topology.vhost;

  const overview = await api.get<{ rabbitmq_version: string }>('/overview');
  const vhostExisted = (await api.find(apiPath`/vhosts/${vhost}`)) !== undefined;
  const [queues, exchanges, bindings] = vhostExisted
    ? await Promise.all([
        api.get<BrokerQueue[]>(apiPath`/queues/${vhost}` + '?columns=name,durable,auto_delete,arguments'),
        api.get<BrokerExchange[]>(apiPath`/exchanges/${vhost}`),
        api.get<BrokerBinding[]>(apiPath`/bindings/${vhost}`),
      ])
    : [[], [], []];

  const existingQueues = new Map(queues.map((queue) => [queue.name, queue]));
  const existingExchanges = new Map(exchanges.map((exchange) => [exchange.name, exchange]));
  const conflicts = [
    ...desired.exchanges.flatMap((exchange) =>
      exchangeConflicts(exchange, existingExchanges.get(exchange.name)),
    ),
    ...desired.queues.flatMap((queue) => queueConflicts(queue, existingQueues.get(queue.name))),
  ];
  if (conflicts.length > 0) throw new TopologyConflictError(vhost, conflicts);

  if (!vhostExisted) await api.put(apiPath`/vhosts/${vhost}`, {});
  // The management API declares objects as the calling user, who needs permissions in the vhost (a vhost
  // loaded from definitions at boot grants none). Existing permissions of the administrator are kept.
  if ((await api.find(apiPath`/permissions/${vhost}/${api.user}`)) === undefined) {
    await api.put(apiPath`/permissions/${vhost}/${api.user}`, { configure: '.*', write: '.*', read: '.*' });
  }

  const newExchanges = desired.exchanges.filter((exchange) => !existingExchanges.has(exchange.name));
  for (const exchange of newExchanges) {
    await api.put(apiPath`/exchanges/${vhost}/${exchange.name}`, {
      type: exchange.type,
      durable: exchange.durable,
      auto_delete: exchange.auto_delete,
      internal: exchange.internal,
      arguments: exchange.arguments,
    });
  }
  const newQueues = desired.queues.filter((queue) => !existingQueues.has(queue.name));
  for (const queue of newQueues) {
    await api.put(apiPath`/queues/${vhost}/${queue.name}`, {
      durable: queue.durable,
      auto_delete: queue.auto_delete,
      arguments: queue.arguments,
    });
  }
  const bindingKey = (b: { source: string; destination: string; routing_key: string }) =>
    `${b.source}\u0000${b.destination}\u0000${b.routing_key}`;
  const existingBindings = new Set(bindings.filter((b) => b.destination_type === 'queue').map(bindingKey));
  const newBindings = desired.bindings.filter((binding) => !existingBindings.has(bindingKey(binding)));
  for (const binding of newBindings) {
    await api.post(apiPath`/bindings/${vhost}/e/${binding.source}/q/${binding.destination}`, {
      routing_key: binding.routing_key,
      arguments: binding.arguments,
    });
  }

  for (const policy of desired.policies) {
    await api.put(apiPath`/policies/${vhost}/${policy.name}`, {
      pattern: policy.pattern,
      'apply-to': policy['apply-to'],
      definition: policy.definition,
      priority: policy.priority,
    });
  }

  for (const service of topology.services) {
    // `tags` is required by 3.10 (400 tags_not_present without it); none means no management UI access.
    await api.put(apiPath`/users/${brokerUserOf(service.name, options.userPrefix)}`, {
      password: options.passwords[service.name],
      tags: [],
    });
  }
  for (const permission of desired.permissions) {
    await api.put(apiPath`/permissions/${vhost}/${permission.user}`, {
      configure: permission.configure,
      write: permission.write,
      read: permission.read,
    });
  }

  const declaredQueues = new Set(desired.queues.map((queue) => queue.name));
  const declaredBindings = new Set(desired.bindings.map(bindingKey));
  return {
    vhost,
    brokerVersion: overview.rabbitmq_version,
    created: {
      vhost: !vhostExisted,
      exchanges: newExchanges.map((exchange) => exchange.name),
      queues: newQueues.map((queue) => queue.name),
      bindings: newBindings.length,
    },
    users: desired.users.map((user) => user.name),
    policies: desired.policies.map((policy) => policy.name),
    undeclaredBindings: bindings
      .filter((b) => b.source !== '' && b.destination_type === 'queue' && declaredQueues.has(b.destination))
      .filter((b) => !declaredBindings.has(bindingKey(b)))
      .map((b) => ({ source: b.source, destination: b.destination, routingKey: b.routing_key })),
  };
}

function queueConflicts(declared: DefinitionQueue, actual: BrokerQueue | undefined): TopologyConflict[] {
  if (!actual) return [];
  const differences = [
    ...differ('durable', declared.durable, actual.durable),
    ...differ('auto_delete', declared.auto_delete, actual.auto_delete),
    ...argumentDifferences(declared.arguments, actual.arguments ?? {}),
  ];
  return differences.length > 0 ? [{ kind: 'queue', name: declared.name, differences }] : [];
}

function exchangeConflicts(
  declared: DefinitionExchange,
  actual: BrokerExchange | undefined,
): TopologyConflict[] {
  if (!actual) return [];
  const differences = [
    ...differ('type', declared.type, actual.type),
    ...differ('durable', declared.durable, actual.durable),
    ...differ('auto_delete', declared.auto_delete, actual.auto_delete),
    ...differ('internal', declared.internal, actual.internal),
    ...argumentDifferences(declared.arguments, actual.arguments ?? {}),
  ];
  return differences.length > 0 ? [{ kind: 'exchange', name: declared.name, differences }] : [];
}

/** Every argument on either side that is not the same on both: a missing and an extra argument both count. */
function argumentDifferences(
  declared: Record<string, unknown>,
  actual: Record<string, unknown>,
): PropertyDifference[] {
  const keys = [...new Set([...Object.keys(declared), ...Object.keys(actual)])].sort();
  return keys.flatMap((key) => differ(key, declared[key], actual[key]));
}

function differ(key: string, declared: unknown, actual: unknown): PropertyDifference[] {
  return JSON.stringify(declared) === JSON.stringify(actual) ? [] : [{ key, declared, actual }];
}
