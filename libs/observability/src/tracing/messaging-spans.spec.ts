import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { currentLogContext } from '../logging/log-context';
import { startTelemetry, type Telemetry } from '../telemetry/start-telemetry';
import { tracePublish, withProcessSpan, withPublishSpan } from './messaging-spans';
import { currentTraceContext, recordSpanError } from './trace-context';

/** A message as libs/contracts shapes it: the carrier has `traceparent`/`tracestate` fields. */
interface TestMessage {
  id: string;
  type: string;
  correlationId: string;
  traceparent?: string;
  tracestate?: string;
}

const message = (id: string): TestMessage => ({
  id,
  type: 'inventory.reserve-stock',
  correlationId: 'order-42',
});
const target = (m: TestMessage) => ({
  exchange: 'inventory.commands',
  routingKey: m.type,
  messageId: m.id,
  messageType: m.type,
  correlationId: m.correlationId,
});
const traceparentOf = (span: ReadableSpan) =>
  `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
function named(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((span) => span.name === name);
  if (found.length !== 1)
    throw new Error(`expected one span "${name}", got ${spans.map((s) => s.name).join(', ')}`);
  return found[0];
}

describe('messaging spans', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;

  beforeAll(() => {
    telemetry = startTelemetry({
      serviceName: 'test-service',
      env: {},
      exporter,
      autoInstrumentation: false,
      log: () => undefined,
    });
  });
  afterAll(() => telemetry.shutdown());
  beforeEach(() => exporter.reset());

  async function finishedSpans(): Promise<ReadableSpan[]> {
    await telemetry.forceFlush();
    return exporter.getFinishedSpans();
  }

  it('publishes in a PRODUCER span named after the exchange, child of the active span, and puts it in the traceparent', async () => {
    const m = message('m-1');
    await trace.getTracer('test').startActiveSpan('POST /orders', async (request) => {
      await withPublishSpan(target(m), m, async () => undefined);
      request.end();
    });

    const spans = await finishedSpans();
    const request = named(spans, 'POST /orders');
    const publish = named(spans, 'publish inventory.commands');
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expect(publish.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(parentOf(publish)).toBe(request.spanContext().spanId);
    expect(m.traceparent).toBe(traceparentOf(publish));
    expect(publish.attributes).toEqual({
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'publish',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': 'inventory.commands',
      'messaging.rabbitmq.destination.routing_key': 'inventory.reserve-stock',
      'messaging.message.id': 'm-1',
      'messaging.message.conversation_id': 'order-42',
      'cloudevents.event.type': 'inventory.reserve-stock',
    });
  });

  it("continues the publisher's trace in a CONSUMER span for the queue, with the publish span as parent", async () => {
    const m = message('m-2');
    await withPublishSpan(target(m), m, async () => undefined);
    const received = JSON.parse(JSON.stringify(m)) as TestMessage;
    await withProcessSpan(
      { queue: 'inventory-service.commands', ...target(received), deliveryTag: 7 },
      received,
      async () => trace.getTracer('test').startSpan('reserve stock in the database').end(),
    );

    const spans = await finishedSpans();
    const publish = named(spans, 'publish inventory.commands');
    const processing = named(spans, 'process inventory-service.commands');
    const work = named(spans, 'reserve stock in the database');
    expect(processing.kind).toBe(SpanKind.CONSUMER);
    expect(processing.spanContext().traceId).toBe(publish.spanContext().traceId);
    expect(parentOf(processing)).toBe(publish.spanContext().spanId);
    expect(parentOf(work)).toBe(processing.spanContext().spanId);
    expect(processing.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'inventory.commands',
      'messaging.consumer.group.name': 'inventory-service.commands',
      'messaging.message.id': 'm-2',
      'messaging.rabbitmq.message.delivery_tag': 7,
    });
  });

  it('reads the trace context from AMQP headers, also when a header arrives as a Buffer', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const headers = { traceparent: Buffer.from(`00-${traceId}-00f067aa0ba902b7-01`) };
    await withProcessSpan({ queue: 'payment-service.commands' }, headers, async () => undefined);

    const [processing] = await finishedSpans();
    expect(processing.spanContext().traceId).toBe(traceId);
    expect(parentOf(processing)).toBe('00f067aa0ba902b7');
  });

  it('starts a new trace for a delivery without trace context, whatever span is active around it', async () => {
    await trace.getTracer('test').startActiveSpan('unrelated', async (unrelated) => {
      await withProcessSpan({ queue: 'order-service.saga-replies' }, {}, async () => undefined);
      unrelated.end();
    });

    const spans = await finishedSpans();
    const processing = named(spans, 'process order-service.saga-replies');
    const unrelated = named(spans, 'unrelated');
    expect(parentOf(processing)).toBeUndefined();
    expect(processing.spanContext().traceId).not.toBe(unrelated.spanContext().traceId);
  });

  it('continues a stored trace context when the outbox relay publishes the row later, in one publish span', async () => {
    // The request's transaction writes the row with the trace context current then…
    let stored: ReturnType<typeof currentTraceContext>;
    await trace.getTracer('test').startActiveSpan('POST /orders', async (request) => {
      stored = currentTraceContext();
      request.end();
    });
    // …and the relay publishes it later, outside any span; the transport's hook injects inside it.
    const m = message('m-3');
    await withPublishSpan(target(m), undefined, async () => tracePublish(m, target(m)), { parent: stored });

    const spans = await finishedSpans();
    const request = named(spans, 'POST /orders');
    const publishes = spans.filter((s) => s.name === 'publish inventory.commands');
    expect(publishes).toHaveLength(1);
    expect(parentOf(publishes[0])).toBe(request.spanContext().spanId);
    expect(publishes[0].spanContext().traceId).toBe(request.spanContext().traceId);
    expect(m.traceparent).toBe(traceparentOf(publishes[0]));
  });

  it('records a short publish span for a hook that cannot wrap the publish', async () => {
    const m = message('m-4');
    await trace.getTracer('test').startActiveSpan('handler', async (handler) => {
      tracePublish(m, target(m));
      handler.end();
    });

    const spans = await finishedSpans();
    const handler = named(spans, 'handler');
    const publish = named(spans, 'publish inventory.commands');
    expect(parentOf(publish)).toBe(handler.spanContext().spanId);
    expect(m.traceparent).toBe(traceparentOf(publish));
  });

  it('marks the span failed with the error class when the work throws, and rethrows', async () => {
    class PublishRejectedError extends Error {
      override name = 'PublishRejectedError';
    }
    const m = message('m-5');
    await expect(
      withPublishSpan(target(m), m, async () => {
        throw new PublishRejectedError('Broker returned message m-5');
      }),
    ).rejects.toThrow('Broker returned message m-5');

    const [publish] = await finishedSpans();
    expect(publish.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Broker returned message m-5' });
    expect(publish.attributes['error.type']).toBe('PublishRejectedError');
    expect(publish.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('marks the process span failed when the transport handles the failure inside it', async () => {
    await withProcessSpan({ queue: 'inventory-service.commands' }, {}, async () => {
      recordSpanError(new TypeError('stock is not a number'));
    });

    const [processing] = await finishedSpans();
    expect(processing.status.code).toBe(SpanStatusCode.ERROR);
    expect(processing.attributes['error.type']).toBe('TypeError');
  });

  it("puts the message's correlation and message ids in the log context while it is processed", async () => {
    const m = message('m-6');
    const seen: unknown[] = [];
    await withProcessSpan({ queue: 'q', ...target(m) }, m, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push(currentLogContext());
    });
    seen.push(currentLogContext());
    expect(seen).toEqual([{ correlationId: 'order-42', messageId: 'm-6' }, undefined]);
  });
});

describe('messaging spans with tracing off', () => {
  let telemetry: Telemetry;
  beforeAll(() => {
    telemetry = startTelemetry({ serviceName: 'quiet-service', env: {}, log: () => undefined });
  });
  afterAll(() => telemetry.shutdown());

  it('records nothing but passes a received traceparent on to the messages published while handling', async () => {
    expect(telemetry.tracing).toBe(false);
    const received = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    const published = message('m-7');
    await withProcessSpan({ queue: 'q' }, received, async () => {
      await withPublishSpan(target(published), published, async () => undefined);
    });
    expect(published.traceparent).toBe(received.traceparent);
  });
});
