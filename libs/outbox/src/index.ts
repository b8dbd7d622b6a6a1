// The public door of @orderly/outbox. Everything else (the relay's loop and SQL, LISTEN/NOTIFY, the
// batch publisher) is internal: a service that needs a deep import has found a missing export.
export { OutboxModule } from './outbox.module';
export type { OutboxModuleOptions } from './outbox-options';
export { OutboxDefaults } from './outbox-defaults';
export { OutboxWriter } from './outbox-writer';
export type { OutboxDatabase, OutboxTransaction } from './database-client';
export { Inbox } from './inbox/inbox';
export type { InboxOutcome } from './inbox/inbox';
export { Idempotent } from './inbox/idempotent.decorator';
export type { IdempotentOptions } from './inbox/idempotent.decorator';
export { Transaction } from './inbox/transaction.decorator';
export { OUTBOX_HOOKS } from './outbox-hooks';
export type { OutboxHooks, OutboxPublication, TraceContext } from './outbox-hooks';
export { outboxTelemetryHooks } from './outbox-telemetry';
export { OUTBOX_METRICS } from './outbox-metrics';
export type { OutboxMetrics, PublishFailureReason } from './outbox-metrics';
export { OutboxWriteError } from './errors/outbox-write.error';
export { InboxTransactionMissingError } from './errors/inbox-transaction-missing.error';
