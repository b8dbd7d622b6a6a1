// The public door of @orderly/observability: telemetry start, messaging span helpers, logging, metrics
// and health. It depends on no other library of ours, so that messaging, outbox and saga can call into
// it (README.md shows how each of them wires in). Everything else in src/ is internal.

// Tracing
export { startTelemetry } from './telemetry/start-telemetry';
export type { Telemetry, TelemetryOptions } from './telemetry/start-telemetry';
export type { TelemetryEnv } from './telemetry/trace-export';
export { TelemetryModule } from './telemetry/telemetry.module';
export { withPublishSpan, tracePublish, withProcessSpan } from './tracing/messaging-spans';
export type {
  PublishSpanAttributes,
  ProcessSpanAttributes,
  PublishSpanOptions,
} from './tracing/messaging-spans';
export {
  continueTrace,
  currentTraceContext,
  injectTraceContext,
  recordSpanError,
} from './tracing/trace-context';
export type { TraceCarrier, TraceContext } from './tracing/trace-context';
export { MessagingAttribute } from './tracing/messaging-attributes';
export { annotateSagaSpan, SagaAttribute } from './tracing/saga-span';
export type { SagaSpanFields } from './tracing/saga-span';

// Logging
export { LoggingModule, logMixins } from './logging/logging.module';
export type { LoggingOptions } from './logging/logging.module';
export { runWithLogContext, currentLogContext } from './logging/log-context';
export type { LogContext } from './logging/log-context';

// Metrics
export { MetricsModule } from './metrics/metrics.module';
export type { MetricsOptions } from './metrics/metrics.module';
export { metricsRegistry, defineCounter, defineGauge, defineHistogram } from './metrics/metrics-registry';
export type { HistogramDefinition, MetricDefinition } from './metrics/metrics-registry';
export { OrderlyMetrics, PublishFailureReasons } from './metrics/orderly-metrics';
export type {
  DeadLetterReason,
  OrderlyMetricName,
  SagaOutcome,
  SagaStepOutcome,
} from './metrics/orderly-metrics';
export { messagingMetricsRecorder } from './metrics/messaging-metrics';
export type { DeliveryLabels, MessagingMetricsRecorder, PublishLabels } from './metrics/messaging-metrics';
export { outboxMetricsRecorder } from './metrics/outbox-metrics';
export type { OutboxMetricsRecorder } from './metrics/outbox-metrics';
export { sagaMetricsRecorder } from './metrics/saga-metrics';
export type { SagaMetricsRecorder } from './metrics/saga-metrics';

// Health
export { HealthModule } from './health/health.module';
export type { HealthOptions } from './health/health.module';
export type { ReadinessProbe } from './health/readiness-probe';
