import { currentTraceContext, withPublishSpan } from '@orderly/observability';
import type { OutboxHooks } from './outbox-hooks';

/**
 * The outbox's tracing unless an `OUTBOX_HOOKS` provider replaces it: the writer stores the trace
 * context active in the writing transaction with each row, and the relay publishes the row in a
 * PRODUCER span `publish <exchange>` that continues that trace (a child of the span that wrote the
 * row, however much later the relay runs). Messaging's own publish hook joins this span rather than
 * opening a second one, and injects it into the message's `traceparent`.
 */
export function outboxTelemetryHooks(): OutboxHooks {
  return {
    currentTraceContext,
    aroundPublish: (publication, publish) =>
      withPublishSpan(
        {
          exchange: publication.exchange,
          routingKey: publication.routingKey,
          messageId: publication.messageId,
          messageType: publication.type,
          correlationId: publication.correlationId,
        },
        undefined,
        publish,
        { parent: publication.traceContext },
      ),
  };
}
