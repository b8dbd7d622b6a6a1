import { Controller, type INestApplication } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { type MessageOf, QueueDefaults, type TopologyDeclaration } from '@orderly/contracts';
import { Handles } from '@orderly/messaging';
import { startTelemetry, type Telemetry } from '@orderly/observability';
import type { Prisma } from '@orderly/order-db';
import { OtlpReceiver, type ReceivedSpan } from '@orderly/testing';
import { trace } from '@opentelemetry/api';
import { Idempotent } from './inbox/idempotent.decorator';
import { Transaction } from './inbox/transaction.decorator';
import { OutboxWriter } from './outbox-writer';
import { OutboxTestBed, waitFor } from './test-support/outbox-test-bed';
import { PackParcel, ParcelMoved, parcelMoved, ShopExchanges, ShopQueues, ShopService, ShopTopology, source } from './test-support/shop-topology';

type PackParcel = MessageOf<typeof PackParcel>;

/** The shop topology plus a queue for its own commands, so that one service is both links of the chain. */
const ChainTopology: TopologyDeclaration = {
  ...ShopTopology,
  queues: [
    ...ShopTopology.queues,
    {
      name: ShopQueues.commands,
      owner: ShopService,
      ...QueueDefaults,
      bindings: [{ exchange: ShopExchanges.commands, messages: [PackParcel] }],
    },
  ],
};

const packed: PackParcel[] = [];

/**
 * Consumer A handles the event in its inbox transaction and writes the command it causes to the outbox
 * in that transaction (as every service handler does); consumer B receives that command.
 */
@Controller()
class ChainHandlers {
  constructor(private readonly outbox: OutboxWriter) {}

  @Handles(ParcelMoved)
  @Idempotent({ consumer: 'shop-service.pack-on-move' })
  async moved(@Payload() event: ParcelMoved, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    const command = PackParcel.create(event.data, { ...source, causationId: event.id, correlationId: event.correlationId });
    await this.outbox.add(tx, PackParcel, command);
  }

  @Handles(PackParcel)
  async pack(@Payload() command: PackParcel): Promise<void> {
    packed.push(command);
  }
}

const SPAN_KIND = { producer: 4, consumer: 5 } as const;

function one(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((span) => span.name === name);
  if (found.length !== 1) throw new Error(`expected one span "${name}", got: ${spans.map((s) => s.name).join(', ')}`);
  return found[0];
}

describe('Tracing through outbox, relay and consumers', () => {
  let receiver: OtlpReceiver;
  let telemetry: Telemetry;
  let bed: OutboxTestBed;
  let app: INestApplication;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    // The SDK exports OTLP/HTTP JSON to the receiver, as a service's would to Tempo (see
    // OtlpReceiver.exporter for why not the exporter package itself, inside jest). No auto-instrumentation:
    // pg is loaded already in this process, and the spans under test are our own.
    telemetry = startTelemetry({
      serviceName: ShopService,
      env: {},
      exporter: receiver.exporter(),
      autoInstrumentation: false,
      log: () => undefined,
    });
    bed = await OutboxTestBed.create('outbox_tracing');
    await bed.provision(ChainTopology);
    // No OUTBOX_HOOKS / MESSAGING_HOOKS provided: the default (observability) hooks are under test.
    app = await bed.service({
      controllers: [ChainHandlers],
      outbox: { relayName: ShopService },
      messaging: { topology: ChainTopology },
    });
  });

  afterAll(async () => {
    await bed?.dispose();
    await telemetry?.shutdown();
    await receiver?.close();
  });

  it('keeps one trace from the writing span through relay publish, consumer A, its outbox write, relay publish and consumer B', async () => {
    const event = parcelMoved('p-traced', 0);
    const root = await trace.getTracer('test').startActiveSpan('move parcel', async (span) => {
      await bed.prisma.$transaction(async (tx) => app.get(OutboxWriter).add(tx, ParcelMoved, event));
      span.end();
      return span.spanContext();
    });

    await waitFor(() => packed.some((command) => command.causationId === event.id), { what: 'consumer B to receive the command' });
    const spans = await waitFor(
      async () => {
        await telemetry.forceFlush();
        const inTrace = receiver.spans.filter((span) => span.traceId === root.traceId);
        return inTrace.some((span) => span.name === `process ${ShopQueues.commands}`) ? inTrace : undefined;
      },
      { what: 'the spans of consumer B exported' },
    );

    const publishEvent = one(spans, `publish ${ShopExchanges.events}`);
    const consumeEvent = one(spans, `process ${ShopQueues.events}`);
    const publishCommand = one(spans, `publish ${ShopExchanges.commands}`);
    const consumeCommand = one(spans, `process ${ShopQueues.commands}`);
    const chain = [publishEvent, consumeEvent, publishCommand, consumeCommand];
    expect(new Set([...chain.map((span) => span.traceId), root.traceId])).toEqual(new Set([root.traceId]));
    expect(chain.map((span) => span.kind)).toEqual([SPAN_KIND.producer, SPAN_KIND.consumer, SPAN_KIND.producer, SPAN_KIND.consumer]);
    expect(chain.map((span) => span.parentSpanId)).toEqual([root.spanId, publishEvent.spanId, consumeEvent.spanId, publishCommand.spanId]);
    expect(chain.map((span) => span.service)).toEqual([ShopService, ShopService, ShopService, ShopService]);

    const messaging = (span: ReceivedSpan) => ({
      system: span.attributes['messaging.system'],
      destination: span.attributes['messaging.destination.name'],
      operation: span.attributes['messaging.operation.type'],
      routingKey: span.attributes['messaging.rabbitmq.destination.routing_key'],
      messageId: span.attributes['messaging.message.id'],
    });
    const command = packed.find((c) => c.causationId === event.id) as PackParcel;
    expect(chain.map(messaging)).toEqual([
      { system: 'rabbitmq', destination: ShopExchanges.events, operation: 'publish', routingKey: ParcelMoved.type, messageId: event.id },
      { system: 'rabbitmq', destination: ShopExchanges.events, operation: 'process', routingKey: ParcelMoved.type, messageId: event.id },
      { system: 'rabbitmq', destination: ShopExchanges.commands, operation: 'publish', routingKey: PackParcel.type, messageId: command.id },
      { system: 'rabbitmq', destination: ShopExchanges.commands, operation: 'process', routingKey: PackParcel.type, messageId: command.id },
    ]);
    expect(consumeEvent.attributes['messaging.consumer.group.name']).toBe(ShopQueues.events);
    expect(consumeCommand.attributes['messaging.consumer.group.name']).toBe(ShopQueues.commands);
    // The command carries the trace on to whoever receives it: the relay's publish span.
    expect(command.traceparent).toBe(`00-${root.traceId}-${publishCommand.spanId}-01`);
  });
});
