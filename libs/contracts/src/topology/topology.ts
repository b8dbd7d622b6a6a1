import { CommitStock, ReleaseStock, ReserveStock } from '../inventory/inventory.commands';
import { StockCommitted, StockReleased, StockReserved, StockUnavailable } from '../inventory/inventory.replies';
import { OrderCancelled, OrderConfirmed, OrderRejected } from '../order/order.events';
import { AuthorisePayment, CapturePayment, VoidPayment } from '../payment/payment.commands';
import { PaymentAuthorised, PaymentCaptured, PaymentDeclined, PaymentVoided } from '../payment/payment.replies';
import { Exchanges, Queues, Services, Vhost } from './names';
import type { RetryDeclaration, TopologyDeclaration } from './topology-types';

/**
 * Queue defaults. RabbitMQ 4.x gives quorum queues a delivery limit of 20 by default; we set it
 * explicitly so 3.10 (no default) behaves the same. The seed study used 5, but here handler failures
 * are retried by the retry ladder, so the limit only has to stop a message that crashes its consumer.
 */
export const QueueDefaults = {
  type: 'quorum',
  deliveryLimit: 20,
} as const;

/**
 * The retry ladder of every consumer whose queue declares none: 6 handlings, waiting 1 s, 5 s, 30 s,
 * 2 min and 10 min between them (about ×5 each; 12.6 min in all). The short tiers absorb blips (a lock
 * timeout, a connection reset); the long ones outlast a database failover or a dependency's deploy. A
 * failure that lasts longer is an incident: the message waits in the DLQ for an operator's replay rather
 * than retrying blindly. Each tier is one more quorum queue per consumer queue, so keep the list short.
 */
export const RetryDefaults: RetryDeclaration = {
  delaysMs: [1_000, 5_000, 30_000, 120_000, 600_000],
  maxAttempts: 6,
};

/** A parking lot must not grow without bound: past this many messages it refuses new dead letters
 * (with at-least-once dead-lettering the source queue keeps them) and the DLQ alert has long fired. */
export const DeadLetterQueueMaxLength = 100_000;

/**
 * The whole broker topology of Orderly, as data. `apps/broker` generates `definitions.json` from it and
 * provisions it; each service asserts its own part at startup (libs/messaging). Adding a consumer means
 * adding a queue here; the broker user's permissions follow from it.
 */
export const Topology: TopologyDeclaration = {
  vhost: Vhost,
  exchanges: [
    { name: Exchanges.orderEvents, type: 'topic', owner: Services.order },
    { name: Exchanges.orderReplies, type: 'direct', owner: Services.order },
    { name: Exchanges.inventoryCommands, type: 'direct', owner: Services.inventory },
    { name: Exchanges.inventoryEvents, type: 'topic', owner: Services.inventory },
    { name: Exchanges.paymentCommands, type: 'direct', owner: Services.payment },
    { name: Exchanges.paymentEvents, type: 'topic', owner: Services.payment },
    { name: Exchanges.notificationEvents, type: 'topic', owner: Services.notification },
    // @orderly/tools:topology-exchanges (nx g @orderly/tools:service adds above each such line)
  ],
  queues: [
    {
      name: Queues.orderSagaReplies,
      owner: Services.order,
      ...QueueDefaults,
      bindings: [
        {
          exchange: Exchanges.orderReplies,
          messages: [
            StockReserved,
            StockUnavailable,
            StockReleased,
            StockCommitted,
            PaymentAuthorised,
            PaymentDeclined,
            PaymentVoided,
            PaymentCaptured,
          ],
        },
      ],
    },
    {
      name: Queues.inventoryCommands,
      owner: Services.inventory,
      ...QueueDefaults,
      bindings: [{ exchange: Exchanges.inventoryCommands, messages: [ReserveStock, ReleaseStock, CommitStock] }],
    },
    {
      name: Queues.paymentCommands,
      owner: Services.payment,
      ...QueueDefaults,
      bindings: [{ exchange: Exchanges.paymentCommands, messages: [AuthorisePayment, VoidPayment, CapturePayment] }],
    },
    {
      name: Queues.notificationOrderEvents,
      owner: Services.notification,
      ...QueueDefaults,
      bindings: [{ exchange: Exchanges.orderEvents, messages: [OrderConfirmed, OrderRejected, OrderCancelled] }],
    },
    // @orderly/tools:topology-queues
  ],
  services: [
    {
      name: Services.order,
      publishesTo: [Exchanges.orderEvents, Exchanges.inventoryCommands, Exchanges.paymentCommands],
    },
    { name: Services.inventory, publishesTo: [Exchanges.inventoryEvents, Exchanges.orderReplies] },
    { name: Services.payment, publishesTo: [Exchanges.paymentEvents, Exchanges.orderReplies] },
    { name: Services.notification, publishesTo: [Exchanges.notificationEvents] },
    // @orderly/tools:topology-services
  ],
  policies: [
    {
      name: 'orderly.dead-letter-queues',
      pattern: '\\.dlq$',
      applyTo: 'queues',
      priority: 10,
      definition: { 'max-length': DeadLetterQueueMaxLength, overflow: 'reject-publish' },
    },
  ],
};
