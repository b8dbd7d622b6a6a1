import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import { MessagingAttribute } from './messaging-attributes';

/** The tracer of every span this library starts (messaging, saga deadline). */
export const orderlyTracer = () => trace.getTracer('@orderly/observability');

/** W3C trace context as it travels in AMQP headers and is stored with an outbox row. */
export interface TraceContext {
  traceparent?: string;
  tracestate?: string;
}

/**
 * Where trace context is written to and read from: AMQP headers, or a `Message` of @orderly/contracts
 * (it has `traceparent`/`tracestate` fields). Only string values are written.
 */
export type TraceCarrier = object;

/** AMQP header values may arrive as Buffers (long strings); anything else is not a trace header. */
const carrierGetter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = (carrier as Record<string, unknown>)[key];
    if (typeof value === 'string') return value;
    if (Buffer.isBuffer(value)) return value.toString('utf8');
    return undefined;
  },
};

/** The context a carrier's `traceparent` describes (a remote parent), on top of `base`. */
export function contextFromCarrier(carrier: TraceCarrier | undefined, base: Context = ROOT_CONTEXT): Context {
  return carrier ? propagation.extract(base, carrier, carrierGetter) : base;
}

/** Writes the trace context of `ctx` (the active one by default) into the carrier. */
export function injectTraceContext(carrier: TraceCarrier, ctx: Context = context.active()): void {
  propagation.inject(ctx, carrier);
}

/**
 * The trace context active right now, to store with something that continues later (an outbox row
 * written in a request's transaction). `undefined` when no trace is active.
 */
export function currentTraceContext(): TraceContext | undefined {
  const carrier: TraceContext = {};
  injectTraceContext(carrier);
  return carrier.traceparent
    ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
    : undefined;
}

/**
 * Marks the active span as failed with the error (its class name as `error.type`). For code that
 * handles a failure inside a span it did not start: the transport's failure path runs inside the
 * `process` span, which would otherwise end as a success.
 */
export function recordSpanError(error: unknown): void {
  const span = trace.getActiveSpan();
  if (span) markSpanFailed(span, error);
}

/** Records the error on the span, sets `error.type` to its class name and the status to ERROR. */
export function markSpanFailed(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setAttribute(MessagingAttribute.errorType, err.name || err.constructor.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}

/**
 * Runs `fn` in a span `name` that continues the trace `traceparent` describes (a remote parent), for
 * work that resumes something traced earlier with no message or request to carry the context: a saga
 * step re-sent by the deadline sweep belongs to the order's trace, not to a trace of its own. Without a
 * `traceparent` (or with tracing off: a non-recording span) `fn` still runs, and its errors mark the span.
 */
export async function continueTrace<T>(
  traceparent: string | undefined,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = traceparent ? contextFromCarrier({ traceparent }) : ROOT_CONTEXT;
  return orderlyTracer().startActiveSpan(name, {}, parent, async (span) => {
    try {
      return await fn();
    } catch (error) {
      markSpanFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}
