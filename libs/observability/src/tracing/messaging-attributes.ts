/**
 * The OpenTelemetry messaging attributes our spans carry, copied here rather than imported from
 * `@opentelemetry/semantic-conventions/incubating`: the messaging conventions are still in
 * development (OTel advises copying incubating names), and that subpath does not resolve under our
 * CommonJS `node10` module resolution.
 *
 * We emit the names of the published RabbitMQ and messaging conventions
 * (https://opentelemetry.io/docs/specs/semconv/messaging/rabbitmq/), which Tempo and Jaeger index today.
 * semantic-conventions 1.45 already lists successors (`messaging.system.name`,
 * `rabbitmq.destination.routing_key`); switching is an edit of this file only.
 */
export const MessagingAttribute = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  /** The exchange (RabbitMQ: the destination is the exchange; `''` for the default exchange). */
  destinationName: 'messaging.destination.name',
  routingKey: 'messaging.rabbitmq.destination.routing_key',
  /** The queue a consumer reads: its competing consumers share the deliveries, as a consumer group. */
  consumerGroupName: 'messaging.consumer.group.name',
  messageId: 'messaging.message.id',
  /** The correlation id (the order / saga the message belongs to). */
  conversationId: 'messaging.message.conversation_id',
  bodySize: 'messaging.message.body.size',
  deliveryTag: 'messaging.rabbitmq.message.delivery_tag',
  /** The CloudEvents type of the message (`inventory.reserve-stock`). */
  messageType: 'cloudevents.event.type',
  errorType: 'error.type',
} as const;

export const MessagingSystem = 'rabbitmq';
