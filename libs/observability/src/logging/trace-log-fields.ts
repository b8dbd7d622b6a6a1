import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * `trace_id`, `span_id` and `trace_flags` of the span active where a log line is written (the field
 * names of OpenTelemetry's log data model, as its pino instrumentation writes them), so a log line
 * leads to its trace and back.
 */
export function traceLogFields(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: spanContext.traceFlags.toString(16).padStart(2, '0'),
  };
}
