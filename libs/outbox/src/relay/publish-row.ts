import type { MessageContract } from '@orderly/contracts';
import type { AmqpClient } from '@orderly/messaging';
import { z } from 'zod';
import type { OutboxRow } from './outbox-row';

/**
 * Publishes one outbox row through messaging's AmqpClient, which encodes the message (CloudEvents
 * binding, messaging's tracing hook) and resolves on the broker's confirm.
 *
 * AmqpClient takes a (contract, message) pair and reads the exchange, the routing key (= type) and
 * `mandatory` (kind ≠ event) from the contract. The row stores those three itself, so the contract is
 * rebuilt from them here; the writer always stores routing key = type. When messaging offers
 * `publishTo(message, { exchange, routingKey, mandatory })` this becomes that one call.
 */
export function publishRow(client: AmqpClient, row: OutboxRow): Promise<void> {
  if (row.routingKey !== row.message.type) {
    return Promise.reject(
      new Error(`row ${row.id}: routing key ${row.routingKey} differs from type ${row.message.type}, which AmqpClient cannot publish`),
    );
  }
  return client.publish(contractOf(row), row.message);
}

const AnyData = z.unknown();

function contractOf(row: OutboxRow): MessageContract {
  return {
    kind: row.mandatory ? 'command' : 'event',
    type: row.message.type,
    version: row.message.version,
    exchange: row.exchange,
    schema: AnyData,
    create() {
      throw new Error('an outbox row is published as it was written, never re-created');
    },
  };
}
