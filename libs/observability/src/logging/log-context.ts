import { AsyncLocalStorage } from 'node:async_hooks';

/** Business identifiers that every log line written inside a unit of work should carry. */
export interface LogContext {
  /** The business transaction (order / saga id) the work belongs to. */
  correlationId?: string;
  /** The message being handled, when the work is a delivery. */
  messageId?: string;
}

// Our own AsyncLocalStorage rather than OpenTelemetry's context: correlation ids must reach the logs
// also when tracing is disabled (OTEL_SDK_DISABLED) and no context manager is registered.
const storage = new AsyncLocalStorage<LogContext>();

/**
 * Runs `work` with these identifiers on every log line it writes (also after awaits and in callbacks
 * it schedules). Nested calls add to the outer context; the outer one is restored afterwards.
 */
export function runWithLogContext<T>(fields: LogContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, work);
}

/** The identifiers set by the innermost `runWithLogContext` around the caller, if any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/** Log fields of the current context: `correlation_id`, `message_id`. */
export function logContextFields(): Record<string, string> {
  const store = storage.getStore();
  if (!store) return {};
  const fields: Record<string, string> = {};
  if (store.correlationId) fields['correlation_id'] = store.correlationId;
  if (store.messageId) fields['message_id'] = store.messageId;
  return fields;
}
