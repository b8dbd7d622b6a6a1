/**
 * Every exchange and queue name of the system, declared once. Services, the broker app and tests import
 * these constants; no exchange or queue name is written as a literal anywhere else.
 *
 * Conventions (docs/architecture.md):
 * - `<context>.events`   topic exchange, routing key = event type
 * - `<context>.commands` direct exchange, routing key = command type; published `mandatory`
 * - `<context>.replies`  direct exchange of a context that sends commands, routing key = reply type
 * - `<service>.<purpose>` a queue owned by exactly one service
 * - `<service>.dead-letter` the service's dead-letter exchange; `<queue>.dlq` its parking lot
 * - `<service>.retry` the service's retry exchange; `<queue>.retry.<delay>` a delay tier of a queue
 */
export const Vhost = 'orderly';

export const Exchanges = {
  orderEvents: 'order.events',
  orderReplies: 'order.replies',
  inventoryCommands: 'inventory.commands',
  inventoryEvents: 'inventory.events',
  paymentCommands: 'payment.commands',
  paymentEvents: 'payment.events',
  notificationEvents: 'notification.events',
  // @orderly/tools:exchanges (nx g @orderly/tools:service adds a service's exchanges above this line)
} as const;
export type ExchangeName = (typeof Exchanges)[keyof typeof Exchanges];

export const Queues = {
  orderSagaReplies: 'order-service.saga-replies',
  inventoryCommands: 'inventory-service.commands',
  paymentCommands: 'payment-service.commands',
  notificationOrderEvents: 'notification-service.order-events',
  // @orderly/tools:queues
} as const;
export type QueueName = (typeof Queues)[keyof typeof Queues];

export const Services = {
  order: 'order-service',
  inventory: 'inventory-service',
  payment: 'payment-service',
  notification: 'notification-service',
  // @orderly/tools:services
} as const;
export type ServiceName = (typeof Services)[keyof typeof Services];

/** The parking lot of a work queue: where messages go that will never succeed. */
export const deadLetterQueueOf = (queue: string): string => `${queue}.dlq`;
/** The dead-letter exchange a service's queues dead-letter to (routing key = the work queue's name). */
export const deadLetterExchangeOf = (service: string): string => `${service}.dead-letter`;

/**
 * The exchange a service's retries travel through (direct): into a delay tier (routing key = the tier
 * queue) and, when the tier's TTL dead-letters it, back to its work queue (routing key = the work queue).
 */
export const retryExchangeOf = (service: string): string => `${service}.retry`;
/** A delay tier of a work queue, named after its delay: `inventory-service.commands.retry.5s`. */
export const retryQueueOf = (queue: string, delayMs: number): string => `${queue}.retry.${formatDelay(delayMs)}`;

/** `200ms`, `5s`, `2m`, `1h`, `90s`: the largest unit that divides the delay exactly. */
export function formatDelay(delayMs: number): string {
  const units: Array<[string, number]> = [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  for (const [unit, ms] of units) if (delayMs % ms === 0) return `${delayMs / ms}${unit}`;
  return `${delayMs}ms`;
}
