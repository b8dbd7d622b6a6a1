import {
  type MessagingMetricsRecorder,
  type PublishFailureReasons,
  messagingMetricsRecorder,
  recordSpanError,
  withProcessSpan,
  withPublishSpan,
} from '@orderly/observability';
import { PublishRejectedError, type PublishRejectionReason } from '../errors/publish-rejected.error';
import type { MessagingHooks } from '../messaging-hooks';

// observability keeps its own list of publish-failure reasons (it cannot import this library) to start
// their series at 0; this stops the build when a rejection reason is added here and not there.
type ReasonsWithoutZeroSeries = Exclude<PublishRejectionReason, (typeof PublishFailureReasons)[number]>;
export const everyRejectionReasonHasAZeroSeries: [ReasonsWithoutZeroSeries] extends [never] ? true : ReasonsWithoutZeroSeries = true;

/**
 * The hooks the transport uses unless a `MESSAGING_HOOKS` provider replaces them: OpenTelemetry
 * messaging spans and Prometheus metrics through @orderly/observability.
 *
 * - publish: a PRODUCER span `publish <exchange>` from encoding to the broker's confirm, injected into
 *   the message's `traceparent`/`tracestate` (inside the outbox relay's span for the same message it
 *   only injects, so a row gets one publish span); `orderly_messaging_published_total` or
 *   `_publish_failures_total{reason}`.
 * - consume: a CONSUMER span `process <queue>` continuing the message's trace, around handler,
 *   acknowledgement and failure handling, marked failed with the handler's error;
 *   `orderly_messaging_consumed_total`, `_failed_total{error_type}`, `_handler_duration_seconds{outcome}`.
 * - failure disposition: `_retried_total` or `_dead_lettered_total{reason}`.
 *
 * With tracing off (no OTLP endpoint) the spans are not recorded, but a received `traceparent` still
 * travels on to the messages published while handling it. To add hooks of your own, keep these:
 * `{ provide: MESSAGING_HOOKS, useValue: { ...telemetryHooks(), onFailure: … } }`.
 */
export function telemetryHooks(metrics: MessagingMetricsRecorder = messagingMetricsRecorder()): MessagingHooks {
  return {
    async aroundPublish(message, target, publish) {
      const labels = { exchange: target.exchange, messageType: message.type };
      try {
        const result = await withPublishSpan(
          {
            exchange: target.exchange,
            routingKey: target.routingKey,
            messageId: message.id,
            messageType: message.type,
            correlationId: message.correlationId,
          },
          message,
          publish,
        );
        metrics.published(labels);
        return result;
      } catch (error) {
        metrics.publishFailed(labels, error instanceof PublishRejectedError ? error.reason : 'error');
        throw error;
      }
    },

    aroundConsume(message, delivery, handle) {
      return withProcessSpan(
        {
          queue: delivery.queue,
          exchange: delivery.exchange,
          routingKey: delivery.routingKey,
          deliveryTag: delivery.deliveryTag,
          messageId: message.id,
          messageType: message.type,
          correlationId: message.correlationId,
        },
        message,
        async () => {
          const outcome = await handle();
          // The transport handled the failure inside the span, which would otherwise end as a success.
          if (outcome.error !== undefined) recordSpanError(outcome.error);
          metrics.handled({ queue: delivery.queue, messageType: message.type }, outcome.handlerSeconds, outcome.error);
          return outcome;
        },
      );
    },

    onFailure({ queue, messageType, outcome, failure }) {
      const labels = { queue, messageType: messageType ?? 'unknown' };
      if (outcome === 'retry') metrics.retried(labels);
      else metrics.deadLettered(labels, failure.retryable ? 'retries_exhausted' : 'non_retryable');
    },
  };
}
