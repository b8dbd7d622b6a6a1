import type { HistogramDefinition, MetricDefinition } from './metrics-registry';

// The catalogue of Orderly's own metrics: names, meanings, labels and buckets, declared once. The
// dashboards (grafana/dashboards) and alert rules (grafana/prometheus/rules) query these names, and a
// test checks that every `orderly_*` name they use is declared here. Libraries record them through the
// recorders (messagingMetricsRecorder, outboxMetricsRecorder, sagaMetricsRecorder) rather than by name.
//
// Every series also carries `service` (the registry's default label, set by MetricsModule), and
// Prometheus adds `job` and `instance`.

type Kind = 'counter' | 'gauge' | 'histogram';
type Spec = (MetricDefinition | HistogramDefinition) & { kind: Kind };

/** Request latencies: from a health probe (~1 ms) to a slow request (10 s); OTel's HTTP buckets. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** A handler runs one short transaction: 1 ms to 10 s. */
const HANDLER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Outbox commit → broker confirm: milliseconds when the relay keeps up, minutes when the broker is down. */
const RELAY_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** A step waits for another service's reply: 10 ms to its deadline (seconds to a minute). */
const SAGA_STEP_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** A whole saga: a fraction of a second normally, up to the sum of its deadlines and retries. */
const SAGA_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export const OrderlyMetrics = {
  // ---- HTTP (recorded by MetricsModule's middleware) ---------------------------------------------
  httpRequestDuration: {
    kind: 'histogram',
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP requests served, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_BUCKETS,
  },

  // ---- Messaging (libs/messaging) --------------------------------------------------------------------
  messagingConsumed: {
    kind: 'counter',
    name: 'orderly_messaging_consumed_total',
    help: 'Deliveries handed to a handler (every attempt, redeliveries included)',
    labelNames: ['queue', 'message_type'],
  },
  messagingFailed: {
    kind: 'counter',
    name: 'orderly_messaging_failed_total',
    help: 'Handler attempts that failed, by error class',
    labelNames: ['queue', 'message_type', 'error_type'],
  },
  messagingRetried: {
    kind: 'counter',
    name: 'orderly_messaging_retried_total',
    help: 'Failed deliveries scheduled for another attempt (sent to a retry delay queue)',
    labelNames: ['queue', 'message_type'],
  },
  messagingDeadLettered: {
    kind: 'counter',
    name: 'orderly_messaging_dead_lettered_total',
    help: "Deliveries parked in the queue's DLQ, by reason (non_retryable, retries_exhausted)",
    labelNames: ['queue', 'message_type', 'reason'],
  },
  messagingHandlerDuration: {
    kind: 'histogram',
    name: 'orderly_messaging_handler_duration_seconds',
    help: 'Time from a delivery to its handler settling, by outcome (success, failure)',
    labelNames: ['queue', 'message_type', 'outcome'],
    buckets: HANDLER_BUCKETS,
  },
  messagingPublished: {
    kind: 'counter',
    name: 'orderly_messaging_published_total',
    help: 'Messages the broker confirmed (publisher confirms)',
    labelNames: ['exchange', 'message_type'],
  },
  messagingPublishFailures: {
    kind: 'counter',
    name: 'orderly_messaging_publish_failures_total',
    help: 'Publishes the broker did not take, by reason (nacked, returned, timeout, closed, buffer-full, channel-error)',
    labelNames: ['exchange', 'message_type', 'reason'],
  },

  // ---- Outbox and inbox (libs/outbox; names suggested in libs/outbox/src/outbox-metrics.ts) ----------
  outboxPublished: {
    kind: 'counter',
    name: 'orderly_outbox_published_total',
    help: 'Outbox rows the relay published and the broker confirmed',
    labelNames: [],
  },
  outboxCommitToConfirm: {
    kind: 'histogram',
    name: 'orderly_outbox_commit_to_confirm_seconds',
    help: "From the outbox row's insert (its transaction) to the broker's confirm of its publish",
    labelNames: [],
    buckets: RELAY_LATENCY_BUCKETS,
  },
  outboxPublishFailures: {
    kind: 'counter',
    name: 'orderly_outbox_publish_failures_total',
    help: "Relay publish attempts that failed, by reason (messaging's rejection reasons, or error)",
    labelNames: ['reason'],
  },
  outboxBacklog: {
    kind: 'gauge',
    name: 'orderly_outbox_backlog_messages',
    help: 'Unsent outbox rows (the whole table: aggregate relay instances with max, not sum)',
    labelNames: [],
  },
  outboxOldestUnsentAge: {
    kind: 'gauge',
    name: 'orderly_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest unsent outbox row; 0 when the outbox is empty (aggregate with max)',
    labelNames: [],
  },
  inboxDuplicates: {
    kind: 'counter',
    name: 'orderly_inbox_duplicates_total',
    help: 'Deliveries the inbox recognised as already handled (acknowledged without effect)',
    labelNames: ['consumer'],
  },

  // ---- Sagas (libs/saga) -----------------------------------------------------------------------------
  sagaStarted: {
    kind: 'counter',
    name: 'orderly_saga_started_total',
    help: 'Saga instances started',
    labelNames: ['saga'],
  },
  sagaCompleted: {
    kind: 'counter',
    name: 'orderly_saga_completed_total',
    help: 'Saga instances that reached a terminal state, by outcome (completed, compensated, failed)',
    labelNames: ['saga', 'outcome'],
  },
  sagaDuration: {
    kind: 'histogram',
    name: 'orderly_saga_duration_seconds',
    help: "From a saga's start to its terminal state, by outcome",
    labelNames: ['saga', 'outcome'],
    buckets: SAGA_BUCKETS,
  },
  sagaStepDuration: {
    kind: 'histogram',
    name: 'orderly_saga_step_duration_seconds',
    help: "From a step's command to the reply that settled it, by outcome (succeeded, failed, timed_out)",
    labelNames: ['saga', 'step', 'outcome'],
    buckets: SAGA_STEP_BUCKETS,
  },
  sagaInFlight: {
    kind: 'gauge',
    name: 'orderly_saga_in_flight',
    help: 'Saga instances started and not yet terminal (the whole store: aggregate with max)',
    labelNames: ['saga'],
  },
  sagaStuck: {
    kind: 'gauge',
    name: 'orderly_saga_stuck',
    help: "In-flight saga instances past their current step's deadline and retries (aggregate with max)",
    labelNames: ['saga'],
  },
} as const satisfies Record<string, Spec>;

export type OrderlyMetricName = (typeof OrderlyMetrics)[keyof typeof OrderlyMetrics]['name'];

// Label values known before anything happened. The recorders create the series of a failure counter at
// 0 for each of them as soon as its other labels are known, so a healthy system shows 0 rather than no
// data, and `rate`/`increase` see the first failure (a series that appears at 1 has no increase yet).

/** Outcomes a saga ends with: `failed` means it could neither complete nor compensate (an operator acts). */
export const SagaOutcomes = ['completed', 'compensated', 'failed'] as const;
export type SagaOutcome = (typeof SagaOutcomes)[number];
/** How a saga step ended. */
export type SagaStepOutcome = 'succeeded' | 'failed' | 'timed_out';
/** Why a delivery was parked in its DLQ. */
export const DeadLetterReasons = ['non_retryable', 'retries_exhausted'] as const;
export type DeadLetterReason = (typeof DeadLetterReasons)[number];
/**
 * Why a publish (messaging's, or the outbox relay's) was not taken: libs/messaging's
 * `PublishRejectionReason`s, and `error` for anything else. Repeated here because this library cannot
 * import messaging; a reason missing here still counts, it just starts without its 0.
 */
export const PublishFailureReasons = [
  'nacked',
  'returned',
  'timeout',
  'closed',
  'buffer-full',
  'channel-error',
  'error',
] as const;
