import { BrokerError } from '../errors/broker-error';

export interface PropertyDifference {
  /** An argument (`x-delivery-limit`) or a property (`type`, `durable`). */
  key: string;
  declared: unknown;
  /** `undefined` when the broker's object lacks it. */
  actual: unknown;
}

export interface TopologyConflict {
  kind: 'queue' | 'exchange';
  name: string;
  differences: PropertyDifference[];
}

const show = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value));

/**
 * Queues or exchanges already exist in the vhost with other arguments than the topology declares. RabbitMQ
 * cannot change them in place (a declare answers 406 PRECONDITION_FAILED, and a definitions import keeps
 * the old ones silently), so provisioning stops before changing anything and lists every difference.
 */
export class TopologyConflictError extends BrokerError {
  readonly code = 'BROKER.TOPOLOGY_CONFLICT';

  constructor(
    readonly vhost: string,
    readonly conflicts: TopologyConflict[],
  ) {
    super(
      `vhost "${vhost}" already holds ${conflicts.length} object(s) that differ from the declared topology; ` +
        `nothing was changed:\n` +
        conflicts
          .map(
            (conflict) =>
              `  - ${conflict.kind} "${conflict.name}": ` +
              conflict.differences
                .map((d) => `${d.key} declared ${show(d.declared)}, found ${show(d.actual)}`)
                .join('; '),
          )
          .join('\n') +
        `\nA queue's arguments and an exchange's type cannot change in place: drain and delete the object ` +
        `(or declare it under a new name in the topology), then provision again.`,
    );
  }
}
