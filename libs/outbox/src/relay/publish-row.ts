import type { AmqpClient } from '@orderly/messaging';
import type { OutboxRow } from './outbox-row';

/**
 * Publishes one outbox row through messaging's AmqpClient, which encodes the message (CloudEvents
 * binding, messaging's tracing hook) and resolves on the broker's confirm. The row is published to
 * where it was written for (exchange, routing key, `mandatory` for commands and replies), not looked
 * up again: a contract that changed since the row was written does not redirect it.
 */
export function publishRow(client: AmqpClient, row: OutboxRow): Promise<void> {
  return client.publishTo(row.message, { exchange: row.exchange, routingKey: row.routingKey, mandatory: row.mandatory });
}
