import { defineCounter, defineHistogram } from './metrics-registry';
import { type DeadLetterReason, OrderlyMetrics } from './orderly-metrics';

export interface DeliveryLabels {
  queue: string;
  /** The message's type; `unknown` when the delivery could not be decoded. */
  messageType: string;
}

export interface PublishLabels {
  exchange: string;
  messageType: string;
}

/** What libs/messaging records, on the shared registry (names in `OrderlyMetrics`). */
export interface MessagingMetricsRecorder {
  /** A handler settled after `seconds`: counts the delivery, its duration, and its failure if `error` is given. */
  handled(delivery: DeliveryLabels, seconds: number, error?: unknown): void;
  /** A failed delivery was sent to a retry delay queue. */
  retried(delivery: DeliveryLabels): void;
  /** A delivery was parked in its DLQ. */
  deadLettered(delivery: DeliveryLabels, reason: DeadLetterReason): void;
  /** The broker confirmed a publish. */
  published(target: PublishLabels): void;
  /** The broker did not take a publish (`PublishRejectionReason` of libs/messaging). */
  publishFailed(target: PublishLabels, reason: string): void;
}

export function messagingMetricsRecorder(): MessagingMetricsRecorder {
  const consumed = defineCounter(OrderlyMetrics.messagingConsumed);
  const failed = defineCounter(OrderlyMetrics.messagingFailed);
  const retried = defineCounter(OrderlyMetrics.messagingRetried);
  const deadLettered = defineCounter(OrderlyMetrics.messagingDeadLettered);
  const duration = defineHistogram(OrderlyMetrics.messagingHandlerDuration);
  const published = defineCounter(OrderlyMetrics.messagingPublished);
  const publishFailures = defineCounter(OrderlyMetrics.messagingPublishFailures);

  return {
    handled({ queue, messageType }, seconds, error) {
      const labels = { queue, message_type: messageType };
      consumed.inc(labels);
      duration.observe({ ...labels, outcome: error === undefined ? 'success' : 'failure' }, seconds);
      if (error !== undefined) failed.inc({ ...labels, error_type: errorType(error) });
    },
    retried({ queue, messageType }) {
      retried.inc({ queue, message_type: messageType });
    },
    deadLettered({ queue, messageType }, reason) {
      deadLettered.inc({ queue, message_type: messageType, reason });
    },
    published({ exchange, messageType }) {
      published.inc({ exchange, message_type: messageType });
    },
    publishFailed({ exchange, messageType }, reason) {
      publishFailures.inc({ exchange, message_type: messageType, reason });
    },
  };
}

/** The error's class name: few distinct values, unlike its message. */
function errorType(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error;
}
