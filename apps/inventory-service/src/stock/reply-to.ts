import { type Message, Services } from '@orderly/contracts';

/** CloudEvents `source` of everything inventory-service publishes. */
export const InventorySource = `/orderly/${Services.inventory}`;

/**
 * Envelope of a reply: same business transaction as the command (`correlationId`), caused by it
 * (`causationId` = its id, which the orchestrator matches replies on), about the order (`subject`, which
 * also keeps the order's replies in sequence through the outbox).
 */
export function replyTo(command: Message<{ orderId: string }>) {
  return {
    source: InventorySource,
    subject: command.data.orderId,
    correlationId: command.correlationId,
    causationId: command.id,
  };
}
