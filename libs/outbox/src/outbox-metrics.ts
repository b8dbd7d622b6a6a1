import type { PublishRejectionReason } from '@orderly/messaging';

/** Why a relay's publish of a row failed: messaging's rejection reasons, or `error` for anything else. */
export type PublishFailureReason = PublishRejectionReason | 'error';

/**
 * The numbers an operator needs about the outbox and the inbox. The observability wiring binds them to
 * Prometheus (names in brackets are the suggested metric names) and provides the object under
 * `OUTBOX_METRICS`; without it nothing is recorded. Calls are synchronous and must be cheap: the relay
 * makes them on its hot path.
 *
 * Every relay instance reports the backlog of the whole table: aggregate it with `max`, not `sum`.
 */
export interface OutboxMetrics {
  /** Messages the broker confirmed [orderly_outbox_published_total]. */
  published?(count: number): void;
  /**
   * From the row's insert (clock time inside the writing transaction, ≈ its commit for a short
   * transaction) to the broker's confirm, once per published row [orderly_outbox_commit_to_confirm_seconds histogram].
   */
  commitToConfirm?(seconds: number): void;
  /** Publish attempts that failed, by reason [orderly_outbox_publish_failures_total{reason}]. */
  publishFailed?(reason: PublishFailureReason, count: number): void;
  /**
   * Unsent rows and the age of the oldest, every `backlogIntervalMs`
   * [orderly_outbox_backlog_messages, orderly_outbox_oldest_unsent_age_seconds].
   */
  backlog?(messages: number, oldestAgeSeconds: number): void;
  /** Deliveries a handler's inbox recognised as already handled [orderly_inbox_duplicates_total{consumer}]. */
  inboxDuplicate?(consumer: string): void;
}

export const OUTBOX_METRICS = Symbol('OUTBOX_METRICS');
