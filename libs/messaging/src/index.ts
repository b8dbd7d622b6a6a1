// The public door of @orderly/messaging. Everything else (channels, consumers, the dead-letter parker,
// the CloudEvents binding) is internal: a service that needs a deep import has found a missing export.
export { MessagingModule, BrokerReadinessProbe } from './nest/messaging.module';
export type { MessagingModuleOptions } from './messaging-options';
export { MessagingDefaults } from './messaging-defaults';
export { Handles } from './nest/handles.decorator';
export { AmqpServer } from './server/amqp-server';
export { AmqpClient } from './client/amqp-client';
export { MessageContext } from './consumer/message-context';
export { DeadLetterHeaders } from './consumer/dead-letter-parker';
// The wire form (CloudEvents binary mode) of a message, for tools that must publish without the
// transport, e.g. the messaging benchmark's raw-amqplib baseline of the same messages.
export { encodeMessage } from './envelope/cloud-events-binding';
export { MESSAGING_HOOKS } from './messaging-hooks';
export type { DeliveryInfo, FailureDisposition, HandlingOutcome, MessagingHooks } from './messaging-hooks';
export { telemetryHooks } from './telemetry/telemetry-hooks';
export type { PublishTarget } from './publisher/confirmed-publisher';
export { OrderlyError } from './errors/orderly-error';
export type { HandlingFailure } from './consumer/handling-failure';
export { NonRetryableMessageError, InvalidMessageError } from './errors/non-retryable-message.error';
export { PublishRejectedError } from './errors/publish-rejected.error';
export type { PublishRejectionReason } from './errors/publish-rejected.error';
export { TopologyAssertionError } from './errors/topology-assertion.error';
