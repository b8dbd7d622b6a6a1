import { deadLetterQueueOf, Topology, type TopologyDeclaration } from '@orderly/contracts';
import { UsageError } from '../errors/broker-error';

/** A parking lot and the work queue whose failures it holds. */
export interface DeadLetterQueue {
  /** `<queue>.dlq` */
  name: string;
  workQueue: string;
  /** The service that consumes the work queue (its dead letters carry its name as the consumer). */
  owner: string;
}

/** Every DLQ of the topology: one per declared work queue, in declaration order. */
export function deadLetterQueuesOf(topology: TopologyDeclaration = Topology): DeadLetterQueue[] {
  return topology.queues.map((queue) => ({
    name: deadLetterQueueOf(queue.name),
    workQueue: queue.name,
    owner: queue.owner,
  }));
}

/**
 * The DLQ an operator means: `inventory-service.commands` and `inventory-service.commands.dlq` are the
 * same parking lot. Anything else is a usage error that lists the valid names.
 */
export function resolveDeadLetterQueue(
  given: string,
  topology: TopologyDeclaration = Topology,
): DeadLetterQueue {
  const queues = deadLetterQueuesOf(topology);
  const found = queues.find((queue) => queue.name === given || queue.workQueue === given);
  if (found) return found;
  throw new UsageError(
    `no dead-letter queue "${given}" in the topology; known: ${queues.map((queue) => queue.workQueue).join(', ')} ` +
      `(the work queue's name or its ".dlq" name)`,
  );
}
