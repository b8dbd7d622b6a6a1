import { OrderlyError } from './orderly-error';

/**
 * The broker does not hold the topology this service needs, or holds it with other arguments. The
 * service cannot run safely (a queue without its dead-letter arguments would drop failures), so it
 * refuses to consume; `problems` lists every missing or conflicting object with what to do about it.
 */
export class TopologyAssertionError extends OrderlyError {
  readonly code = 'MESSAGING.TOPOLOGY_ASSERTION_FAILED';

  constructor(
    readonly service: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`broker topology of ${service} cannot be asserted:\n  - ${problems.join('\n  - ')}`, options);
  }
}
