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
} as const;
export type ExchangeName = (typeof Exchanges)[keyof typeof Exchanges];

export const Queues = {
  orderSagaReplies: 'order-service.saga-replies',
  inventoryCommands: 'inventory-service.commands',
  paymentCommands: 'payment-service.commands',
  notificationOrderEvents: 'notification-service.order-events',
} as const;
export type QueueName = (typeof Queues)[keyof typeof Queues];

export const Services = {
  order: 'order-service',
  inventory: 'inventory-service',
  payment: 'payment-service',
  notification: 'notification-service',
} as const;
export type ServiceName = (typeof Services)[keyof typeof Services];

/** The parking lot of a work queue: where messages go that will never succeed. */
export const deadLetterQueueOf = (queue: string): string => `${queue}.dlq`;
/** The dead-letter exchange a service's queues dead-letter to (routing key = the work queue's name). */
export const deadLetterExchangeOf = (service: string): string => `${service}.dead-letter`;
