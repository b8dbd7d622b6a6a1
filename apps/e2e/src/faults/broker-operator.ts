import { deadLetterQueueOf, Queues } from '@orderly/contracts';
import type { ProvisionedVhost } from '@orderly/testing';
import type { SentMessage } from './fault-databases';

/** A message as an operator publishes it through the management API (which sets any property). */
export interface RawMessage {
  exchange: string;
  routingKey: string;
  messageId: string;
  /** CloudEvents attributes and the other headers, as the services' envelope carries them. */
  headers: Record<string, string | number>;
  type?: string;
  correlationId?: string;
  payload: string;
}

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
  async publish(message: RawMessage): Promise<void> {
    const { routed } = await this.vhost.api<{ routed: boolean }>(
      'POST',
      `/exchanges/${this.vhostPath}/${encodeURIComponent(message.exchange)}/publish`,
      {
        routing_key: message.routingKey,
        payload: message.payload,
        payload_encoding: 'string',
        properties: {
          message_id: message.messageId,
          delivery_mode: 2,
          content_type: 'application/json',
          ...(message.type ? { type: message.type } : {}),
          ...(message.correlationId ? { correlation_id: message.correlationId } : {}),
          headers: message.headers,
        },
      },
    );
    if (!routed)
      throw new Error(`${message.exchange}/${message.routingKey}: the broker routed it to no queue`);
  }

  /** The same message again, same id and attributes, as the relay first published it (a redelivery). */
  republish(sent: SentMessage): Promise<void> {
    const headers: Record<string, string | number> = {
      'cloudEvents:specversion': '1.0',
      'cloudEvents:id': sent.messageId,
      'cloudEvents:type': sent.type,
      'cloudEvents:source': sent.source,
      'cloudEvents:time': new Date(sent.occurredAt).toISOString(),
      'cloudEvents:schemaversion': sent.version,
      'correlation-id': sent.correlationId,
    };
    if (sent.aggregate) headers['cloudEvents:subject'] = sent.aggregate;
    if (sent.causationId) headers['causation-id'] = sent.causationId;
    return this.publish({
      exchange: sent.exchange,
      routingKey: sent.routingKey,
      messageId: sent.messageId,
      type: sent.type,
      correlationId: sent.correlationId,
      headers,
      payload: sent.body,
    });
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
