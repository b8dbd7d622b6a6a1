import {
  type Attributes,
  type Context,
  context,
  createContextKey,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  trace,
} from '@opentelemetry/api';
import { runWithLogContext } from '../logging/log-context';
import { MessagingAttribute, MessagingSystem } from './messaging-attributes';
import {
  contextFromCarrier,
  injectTraceContext,
  markSpanFailed,
  orderlyTracer,
  type TraceCarrier,
  type TraceContext,
} from './trace-context';

// Spans for publishing and processing messages, following the OpenTelemetry messaging conventions
// (https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/): a PRODUCER span
// `publish <exchange>` whose context travels in the message's `traceparent`, and a CONSUMER span
// `process <queue>` that continues it. They know nothing of our transport: libs/messaging and
// libs/outbox call them from their hooks with plain carriers and attributes.

/**
 * Marks the context of a publish span of ours, holding its message id, so that a helper called again
 * for the same message (the transport's hook inside the outbox relay's span) joins that span instead of
 * opening a second one.
 */
const PUBLISH_SPAN = createContextKey('orderly.messaging.publish-span');
const UNKNOWN_MESSAGE = Symbol('unknown message id');

export interface PublishSpanAttributes {
  exchange: string;
  routingKey: string;
  messageId?: string;
  /** CloudEvents type (`inventory.reserve-stock`). */
  messageType?: string;
  /** The order / saga the message belongs to. */
  correlationId?: string;
  bodySize?: number;
}

export interface ProcessSpanAttributes {
  /** The queue the delivery came from: the span's name and its consumer group. */
  queue: string;
  /** The exchange and routing key the message was published with, when the delivery says. */
  exchange?: string;
  routingKey?: string;
  messageId?: string;
  messageType?: string;
  correlationId?: string;
  deliveryTag?: number;
}

export interface PublishSpanOptions {
  /**
   * Trace context stored when the message was written (an outbox row's): the publish span continues
   * that trace, as a child of the span that wrote the row, rather than the context active now.
   */
  parent?: TraceContext;
}

/**
 * Runs `publish` inside a PRODUCER span `publish <exchange>` and writes the span's context into
 * `carrier` (the message or its headers) first. The span lasts until `publish` settles (for a confirmed
 * publish: the broker's confirm) and records its failure. Called again for the same message while the
 * span is active, it injects and joins the existing span.
 */
export async function withPublishSpan<T>(
  attributes: PublishSpanAttributes,
  carrier: TraceCarrier | undefined,
  publish: () => Promise<T>,
  options: PublishSpanOptions = {},
): Promise<T> {
  const active = context.active();
  if (isPublishSpanOf(active, attributes)) {
    if (carrier) injectTraceContext(carrier, active);
    return publish();
  }
  const { span, ctx } = startPublishSpan(attributes, active, options);
  if (carrier) injectTraceContext(carrier, ctx);
  return runInSpan(span, ctx, publish);
}

/**
 * For a hook that cannot wrap the publish (a synchronous "before publish"): inside a publish span of
 * this message it only injects that span's context; otherwise it records a short publish span as a
 * child of the active context, injects it and ends it at once. Prefer `withPublishSpan` where the
 * publish can be wrapped, so that the span covers the wait for the broker's confirm.
 */
export function tracePublish(
  carrier: TraceCarrier,
  attributes: PublishSpanAttributes,
  options: PublishSpanOptions = {},
): void {
  const active = context.active();
  if (isPublishSpanOf(active, attributes)) {
    injectTraceContext(carrier, active);
    return;
  }
  const { span, ctx } = startPublishSpan(attributes, active, options);
  injectTraceContext(carrier, ctx);
  span.end();
}

/**
 * Runs `handle` inside a CONSUMER span `process <queue>` that continues the trace of the message's
 * `traceparent` (the publish span is its parent), and with the message's correlation id on every log
 * line written meanwhile. A delivery without trace context starts a new trace. A throw from `handle`
 * marks the span failed; failures handled inside `handle` are marked with `recordSpanError`.
 */
export async function withProcessSpan<T>(
  attributes: ProcessSpanAttributes,
  carrier: TraceCarrier | undefined,
  handle: () => Promise<T>,
): Promise<T> {
  // A delivery starts new work: it never continues whatever context the socket callback runs in.
  const parent = contextFromCarrier(carrier, ROOT_CONTEXT);
  const span = orderlyTracer().startSpan(
    `process ${attributes.queue}`,
    { kind: SpanKind.CONSUMER, attributes: processAttributes(attributes) },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  const run = () => runInSpan(span, ctx, handle);
  return attributes.correlationId || attributes.messageId
    ? runWithLogContext({ correlationId: attributes.correlationId, messageId: attributes.messageId }, run)
    : run();
}

function startPublishSpan(
  attributes: PublishSpanAttributes,
  active: Context,
  options: PublishSpanOptions,
): { span: Span; ctx: Context } {
  // A stored context replaces the active span as the parent; without a stored traceparent the active
  // context stays the parent.
  const parent = options.parent ? contextFromCarrier(options.parent, active) : active;
  const span = orderlyTracer().startSpan(
    `publish ${attributes.exchange || '(default)'}`,
    { kind: SpanKind.PRODUCER, attributes: publishAttributes(attributes) },
    parent,
  );
  const ctx = trace.setSpan(parent, span).setValue(PUBLISH_SPAN, attributes.messageId ?? UNKNOWN_MESSAGE);
  return { span, ctx };
}

function isPublishSpanOf(ctx: Context, attributes: PublishSpanAttributes): boolean {
  const active = ctx.getValue(PUBLISH_SPAN);
  if (active === undefined) return false;
  return active === UNKNOWN_MESSAGE || attributes.messageId === undefined || active === attributes.messageId;
}

async function runInSpan<T>(span: Span, ctx: Context, work: () => Promise<T>): Promise<T> {
  try {
    return await context.with(ctx, work);
  } catch (error) {
    markSpanFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

function publishAttributes(a: PublishSpanAttributes): Attributes {
  return withoutUndefined({
    [MessagingAttribute.system]: MessagingSystem,
    [MessagingAttribute.operationType]: 'publish',
    [MessagingAttribute.operationName]: 'publish',
    [MessagingAttribute.destinationName]: a.exchange,
    [MessagingAttribute.routingKey]: a.routingKey || undefined,
    [MessagingAttribute.messageId]: a.messageId,
    [MessagingAttribute.conversationId]: a.correlationId,
    [MessagingAttribute.messageType]: a.messageType,
    [MessagingAttribute.bodySize]: a.bodySize,
  });
}

function processAttributes(a: ProcessSpanAttributes): Attributes {
  return withoutUndefined({
    [MessagingAttribute.system]: MessagingSystem,
    [MessagingAttribute.operationType]: 'process',
    [MessagingAttribute.operationName]: 'process',
    [MessagingAttribute.destinationName]: a.exchange,
    [MessagingAttribute.routingKey]: a.routingKey || undefined,
    [MessagingAttribute.consumerGroupName]: a.queue,
    [MessagingAttribute.messageId]: a.messageId,
    [MessagingAttribute.conversationId]: a.correlationId,
    [MessagingAttribute.messageType]: a.messageType,
    [MessagingAttribute.deliveryTag]: a.deliveryTag,
  });
}

function withoutUndefined(attributes: Record<string, string | number | undefined>): Attributes {
  const result: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) result[key] = value;
  return result;
}
