/** W3C trace context, as it travels in the `traceparent`/`tracestate` headers. */
export interface TraceContext {
  traceparent?: string;
  tracestate?: string;
}

/** A row the relay is about to publish, as the tracing hook sees it. */
export interface OutboxPublication {
  messageId: string;
  type: string;
  exchange: string;
  routingKey: string;
  /** The order / saga the message belongs to. */
  correlationId: string;
  /** The trace context stored when the row was written. */
  traceContext: TraceContext;
}

/**
 * Extension points for tracing. Without an `OUTBOX_HOOKS` provider the module uses
 * `outboxTelemetryHooks()` (libs/observability's spans); a global module providing `OUTBOX_HOOKS`
 * replaces them (`{}`: nothing traced).
 */
export interface OutboxHooks {
  /**
   * Called by the writer for each message it adds: the trace context current in the writing
   * transaction (the active span's), stored with the row. A message that already carries a
   * `traceparent` keeps its own.
   */
  currentTraceContext?(): TraceContext | undefined;
  /**
   * Wraps the relay's publish of one row, so a `publish` span can continue the stored trace (and
   * messaging's `aroundPublish` hook then joins that span and injects it into the headers).
   */
  aroundPublish?<T>(publication: OutboxPublication, publish: () => Promise<T>): Promise<T>;
}

export const OUTBOX_HOOKS = Symbol('OUTBOX_HOOKS');
