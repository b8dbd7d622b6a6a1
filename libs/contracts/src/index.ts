// The shared language of the services: message contracts and the broker topology, as data.
// This library depends on nothing of ours (enforced by lint), so every project may import it.
export {
  defineCommand,
  defineEvent,
  defineReply,
} from './envelope/message-contract';
export type { DataOf, Message, MessageContract, MessageKind, MessageMeta, MessageOf } from './envelope/message-contract';
export { Money, OrderLine } from './shared-schemas';

export { OrderCancelled, OrderConfirmed, OrderPlaced, OrderRejected } from './order/order.events';
export { CommitStock, ReleaseStock, ReserveStock } from './inventory/inventory.commands';
export { StockCommitted, StockReleased, StockReserved, StockUnavailable } from './inventory/inventory.replies';
export { AuthorisePayment, CapturePayment, VoidPayment } from './payment/payment.commands';
export { PaymentAuthorised, PaymentCaptured, PaymentDeclined, PaymentVoided } from './payment/payment.replies';
export { NotificationSent } from './notification/notification.events';

export {
  Exchanges,
  Queues,
  Services,
  Vhost,
  deadLetterExchangeOf,
  deadLetterQueueOf,
  formatDelay,
  retryExchangeOf,
  retryQueueOf,
} from './topology/names';
export type { ExchangeName, QueueName, ServiceName } from './topology/names';
export { DeadLetterQueueMaxLength, QueueDefaults, RetryDefaults, Topology } from './topology/topology';
export {
  deadLetterQueueArguments,
  permissionsFor,
  resolveExchanges,
  resolveQueues,
  resolveRetry,
  retryTierArguments,
  topologyOf,
  workQueueArguments,
} from './topology/derive-topology';
export type { ResolvedBinding, ResolvedQueue, ResolvedRetry, ServiceTopology } from './topology/derive-topology';
export type {
  BindingDeclaration,
  ExchangeDeclaration,
  ExchangeType,
  Permissions,
  PolicyDeclaration,
  QueueDeclaration,
  RetryDeclaration,
  ServiceDeclaration,
  TopologyDeclaration,
} from './topology/topology-types';
