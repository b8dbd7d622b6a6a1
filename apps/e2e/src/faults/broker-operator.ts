import { deadLetterQueueOf, Queues } from '@orderly/contracts';
import {
  type ProvisionedVhost,
  publishByHand,
  type RawMessage,
  redeliveryOf,
  type SentMessage,
} from '@orderly/testing';

export interface DeadLetter {
  queue: string;
  messageId: string | undefined;
  errorType: unknown;
  errorMessage: unknown;
}

/** The work queues of the system: each has a `<queue>.dlq` parking lot. */
export const WorkQueues = Object.values(Queues);

/**
 * What the fault suite does to the broker as an operator would, through the management API of the
 * test's vhost: publish a message by hand (a duplicate, a poison message), close the services'
 * connections, and read queue depths and dead letters.
 */
/** How long `closeConnections` waits for the services' connections to be listed. */
const ConnectionsListedWithinMs = 30_000;

export class BrokerOperator {
  constructor(private readonly vhost: ProvisionedVhost) {}

  private get vhostPath(): string {
    return encodeURIComponent(this.vhost.vhost);
  }

  /** Publishes `message`; throws if no queue took it (a test that injects nothing must not pass). */
  publish(message: RawMessage): Promise<void> {
    return publishByHand(this.vhost, message);
  }

  /** The same message again, same id and attributes, as the relay first published it (a redelivery). */
  republish(sent: SentMessage): Promise<void> {
    return publishByHand(this.vhost, redeliveryOf(sent));
  }

  /** Closes every client connection of the vhost (the services'); resolves with how many. */
  /**
   * Closes every connection of the vhost once at least `atLeast` are listed. Right after an earlier
   * fault the clients may still be reconnecting, and the management API lists a new connection a moment
   * after it opened: closing what happens to be listed then could close nothing.
   */
  async closeConnections(atLeast = 1): Promise<number> {
    const list = () =>
      this.vhost.api<Array<{ name: string }>>('GET', `/vhosts/${this.vhostPath}/connections`);
    const deadline = Date.now() + ConnectionsListedWithinMs;
    let connections = await list();
    while (connections.length < atLeast && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      connections = await list();
    }
    await Promise.all(
      connections.map((c) =>
        this.vhost
          .api('DELETE', `/connections/${encodeURIComponent(c.name)}`, undefined)
          // Gone already (its client closed it first): that is what we wanted.
          .catch((error: Error) => {
            if (!/404/.test(error.message)) throw error;
          }),
      ),
    );
    return connections.length;
  }

  /** Ready + unacked messages of each work queue. */
  async workQueueDepths(): Promise<Record<string, number>> {
    const depths: Record<string, number> = {};
    for (const queue of WorkQueues) {
      const info = await this.vhost.api<{ messages?: number }>(
        'GET',
        `/queues/${this.vhostPath}/${encodeURIComponent(queue)}`,
      );
      depths[queue] = info.messages ?? 0;
    }
    return depths;
  }

  /** Every message parked in the work queues' DLQs, read without taking it (requeued). */
  async deadLetters(): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    for (const queue of WorkQueues.map(deadLetterQueueOf)) {
      const info = await this.vhost.api<{ messages?: number }>(
        'GET',
        `/queues/${this.vhostPath}/${encodeURIComponent(queue)}`,
      );
      const count = info.messages ?? 0;
      if (count === 0) continue;
      const messages = await this.vhost.api<
        Array<{ properties: { message_id?: string; headers?: Record<string, unknown> } }>
      >('POST', `/queues/${this.vhostPath}/${encodeURIComponent(queue)}/get`, {
        count,
        ackmode: 'ack_requeue_true',
        encoding: 'auto',
        truncate: 2_000,
      });
      for (const m of messages) {
        letters.push({
          queue,
          messageId: m.properties.message_id,
          errorType: m.properties.headers?.['x-orderly-error-type'],
          errorMessage: m.properties.headers?.['x-orderly-error-message'],
        });
      }
    }
    return letters;
  }
}
