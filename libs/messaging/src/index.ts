export { MessagingModule, BrokerReadinessProbe } from './nest/messaging.module';
export type { MessagingModuleOptions } from './nest/messaging.module';
export { AmqpConnection } from './connection/amqp-connection';
export type { AmqpConnectionOptions } from './connection/amqp-connection';
