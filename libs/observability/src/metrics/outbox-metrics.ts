import { defineCounter, defineGauge, defineHistogram } from './metrics-registry';
import { OrderlyMetrics, PublishFailureReasons } from './orderly-metrics';

/**
 * Prometheus for libs/outbox: the methods are those of its `OutboxMetrics` interface (this library
 * cannot import it: the outbox depends on us), so the object can be provided under `OUTBOX_METRICS`.
 * Publish failures start at 0 for every known reason (a healthy relay shows 0, not no data).
 */
export interface OutboxMetricsRecorder {
  published(count: number): void;
  commitToConfirm(seconds: number): void;
  publishFailed(reason: string, count: number): void;
  backlog(messages: number, oldestAgeSeconds: number): void;
  inboxDuplicate(consumer: string): void;
}

export function outboxMetricsRecorder(): OutboxMetricsRecorder {
  const published = defineCounter(OrderlyMetrics.outboxPublished);
  const commitToConfirm = defineHistogram(OrderlyMetrics.outboxCommitToConfirm);
  const failures = defineCounter(OrderlyMetrics.outboxPublishFailures);
  const backlog = defineGauge(OrderlyMetrics.outboxBacklog);
  const oldestAge = defineGauge(OrderlyMetrics.outboxOldestUnsentAge);
  const duplicates = defineCounter(OrderlyMetrics.inboxDuplicates);
  for (const reason of PublishFailureReasons) failures.inc({ reason }, 0);

  return {
    published: (count) => published.inc(count),
    commitToConfirm: (seconds) => commitToConfirm.observe(seconds),
    publishFailed: (reason, count) => failures.inc({ reason }, count),
    backlog(messages, oldestAgeSeconds) {
      backlog.set(messages);
      oldestAge.set(oldestAgeSeconds);
    },
    inboxDuplicate: (consumer) => duplicates.inc({ consumer }),
  };
}
