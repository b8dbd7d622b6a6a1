import { defineCounter, defineHistogram } from './metrics-registry';
import {
  type DeadLetterReason,
  DeadLetterReasons,
  OrderlyMetrics,
  PublishFailureReasons,
} from './orderly-metrics';

export interface DeliveryLabels {
  queue: string;
  /** The message's type; `unknown` when the delivery could not be decoded. */
  messageType: string;
}

export interface PublishLabels {
  exchange: string;
  messageType: string;
}

/**
 * What libs/messaging records, on the shared registry (names in `OrderlyMetrics`). The first delivery of
 * a queue and message type creates its retried and dead-lettered series (each reason) at 0, and the
 * first publish to an exchange of a type its publish-failure series (each reason): the failure panels
 * then show 0 on a healthy system instead of no data. (`failed_total` cannot start at 0: its
 * `error_type` is only known when something fails.)
 */
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
  const seenDeliveries = new Set<string>();
  const seenPublishes = new Set<string>();

  const deliveryLabels = ({ queue, messageType }: DeliveryLabels) => {
    const labels = { queue, message_type: messageType };
    if (firstTime(seenDeliveries, queue, messageType)) {
      retried.inc(labels, 0);
      for (const reason of DeadLetterReasons) deadLettered.inc({ ...labels, reason }, 0);
    }
    return labels;
  };
  const publishLabels = ({ exchange, messageType }: PublishLabels) => {
    const labels = { exchange, message_type: messageType };
    if (firstTime(seenPublishes, exchange, messageType)) {
      for (const reason of PublishFailureReasons) publishFailures.inc({ ...labels, reason }, 0);
    }
    return labels;
  };

  return {
    handled(delivery, seconds, error) {
      const labels = deliveryLabels(delivery);
      consumed.inc(labels);
      duration.observe({ ...labels, outcome: error === undefined ? 'success' : 'failure' }, seconds);
      if (error !== undefined) failed.inc({ ...labels, error_type: errorType(error) });
    },
    retried(delivery) {
      retried.inc(deliveryLabels(delivery));
    },
    deadLettered(delivery, reason) {
      deadLettered.inc({ ...deliveryLabels(delivery), reason });
    },
    published(target) {
      published.inc(publishLabels(target));
    },
    publishFailed(target, reason) {
      publishFailures.inc({ ...publishLabels(target), reason });
    },
  };
}

/** True the first time this pair of label values is seen (few pairs: queues or exchanges × types). */
function firstTime(seen: Set<string>, first: string, second: string): boolean {
  const key = `${first}\u0000${second}`;
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

/** The error's class name: few distinct values, unlike its message. */
function errorType(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error;
}
