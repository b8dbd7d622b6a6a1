import type { Tree } from '@nx/devkit';
import { hasMarker, insertAboveMarker, read } from './markers';
import type { ServiceNames } from './names';

export const TopologyFiles = {
  names: 'libs/contracts/src/topology/names.ts',
  topology: 'libs/contracts/src/topology/topology.ts',
} as const;

export interface ServiceTopologyNames {
  /** `shipping-service.commands`: the service's work queue. */
  queue: string;
  queueKey: string;
  /** `shipping.commands` (direct): commands to the service. */
  commandsExchange: string;
  /** `shipping.events` (topic): what the service announces. */
  eventsExchange: string;
}

/** The marker inside the queue's binding where `message` adds the contracts routed to it. */
export const messagesMarkerOf = (queue: string) => `messages:${queue}`;

export function topologyNamesOf(names: ServiceNames): ServiceTopologyNames {
  return {
    queue: `${names.service}.commands`,
    queueKey: `${names.key}Commands`,
    commandsExchange: `${names.context}.commands`,
    eventsExchange: `${names.context}.events`,
  };
}

/**
 * Declares the service in the topology data: its two exchanges, its work queue (retry ladder and DLQ
 * follow from the defaults) and its broker user, which may publish to its own events exchange. The
 * names go into names.ts, so nothing else ever spells them.
 */
export function addServiceToTopology(tree: Tree, names: ServiceNames): ServiceTopologyNames {
  const t = topologyNamesOf(names);
  const existing = read(tree, TopologyFiles.names);
  if (new RegExp(`^\\s+${names.key}: '`, 'm').test(existing)) {
    throw new Error(`${TopologyFiles.names} already declares Services.${names.key}`);
  }
  insertAboveMarker(
    tree,
    TopologyFiles.names,
    'exchanges',
    `  ${names.key}Commands: '${t.commandsExchange}',\n  ${names.key}Events: '${t.eventsExchange}',`,
  );
  insertAboveMarker(tree, TopologyFiles.names, 'queues', `  ${t.queueKey}: '${t.queue}',`);
  insertAboveMarker(tree, TopologyFiles.names, 'services', `  ${names.key}: '${names.service}',`);

  insertAboveMarker(
    tree,
    TopologyFiles.topology,
    'topology-exchanges',
    [
      `    { name: Exchanges.${names.key}Commands, type: 'direct', owner: Services.${names.key} },`,
      `    { name: Exchanges.${names.key}Events, type: 'topic', owner: Services.${names.key} },`,
    ].join('\n'),
  );
  insertAboveMarker(
    tree,
    TopologyFiles.topology,
    'topology-queues',
    [
      `    {`,
      `      name: Queues.${t.queueKey},`,
      `      owner: Services.${names.key},`,
      `      ...QueueDefaults,`,
      `      bindings: [`,
      `        {`,
      `          exchange: Exchanges.${names.key}Commands,`,
      `          messages: [`,
      `            // @orderly/tools:${messagesMarkerOf(t.queue)}`,
      `          ],`,
      `        },`,
      `      ],`,
      `    },`,
    ].join('\n'),
  );
  insertAboveMarker(
    tree,
    TopologyFiles.topology,
    'topology-services',
    `    { name: Services.${names.key}, publishesTo: [Exchanges.${names.key}Events] },`,
  );
  return t;
}

/** Whether `message` can route a contract into the queue (the service was generated). */
export const queueAcceptsMessages = (tree: Tree, queue: string) =>
  hasMarker(tree, TopologyFiles.topology, messagesMarkerOf(queue));
