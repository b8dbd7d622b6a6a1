import { Controller, type DynamicModule, Inject, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  defineEvent,
  resolveExchanges,
  resolveQueues,
  type MessageOf,
  type TopologyDeclaration,
} from '@orderly/contracts';
import { AmqpClient, AmqpServer, BrokerReadinessProbe, Handles, MessagingModule } from '@orderly/messaging';
import { connect } from 'amqplib';
import { z } from 'zod';
import type { BenchMessage } from './bench-message';
import { BENCH_SERVICE, benchQueueDeclaration } from './bench-queue';
import type { AdapterOptions, MessagingAdapter } from './messaging-adapter';

const BenchExchange = 'bench.events';

/** The benchmark's message as an Orderly contract: validated when created and again at the consumer. */
export const BenchMessageSent = defineEvent({
  type: 'bench.message-sent',
  version: 1,
  exchange: BenchExchange,
  schema: z.object({ seq: z.number().int().min(0), sentAt: z.number(), pad: z.string() }),
});
type BenchMessageSent = MessageOf<typeof BenchMessageSent>;

export const SOURCE = { source: '/orderly/bench' };
const MESSAGE_SINK = Symbol('orderly-bench-sink');
type MessageSink = (message: BenchMessage) => void;

/** One service owning one queue bound to one topic exchange: the shape of every Orderly event queue. */
export function benchTopology(queue: string): TopologyDeclaration {
  return {
    vhost: 'bench',
    exchanges: [{ name: BenchExchange, type: 'topic', owner: BENCH_SERVICE }],
    queues: [
      {
        ...benchQueueDeclaration(queue),
        bindings: [{ exchange: BenchExchange, messages: [BenchMessageSent] }],
      },
    ],
    services: [{ name: BENCH_SERVICE, publishesTo: [BenchExchange] }],
    policies: [],
  };
}

@Controller()
class BenchMessageHandler {
  constructor(@Inject(MESSAGE_SINK) private readonly sink: MessageSink) {}

  @Handles(BenchMessageSent)
  handle(message: BenchMessageSent): void {
    this.sink(message.data);
  }
}

@Module({})
class OrderlyBenchModule {
  static register(options: AdapterOptions, queue: string, sink?: MessageSink): DynamicModule {
    return {
      module: OrderlyBenchModule,
      imports: [
        MessagingModule.forRoot({
          url: options.amqpUrl,
          connectionName: `${BENCH_SERVICE} (bench)`,
          service: BENCH_SERVICE,
          topology: benchTopology(queue),
          prefetch: options.prefetch,
        }),
      ],
      controllers: sink ? [BenchMessageHandler] : [],
      providers: [{ provide: MESSAGE_SINK, useValue: sink ?? (() => undefined) }],
    };
  }
}

/**
 * Orderly's transport as a service uses it: `AmqpClient.publish(contract, message)` (confirm channel,
 * at most `maxInFlightPublishes` = 500 unconfirmed, like the suite's window) to the contract's topic
 * exchange, and `AmqpServer` as the Nest microservice strategy with a `@Handles(contract)` handler,
 * validation before the handler, ack after it, and the suite's prefetch. The topology is provisioned
 * first, as `npm run broker -- provision` does in a deployment; the server asserts it again.
 */
export function orderlyAdapter(options: AdapterOptions): MessagingAdapter {
  return {
    subject: 'orderly',
    guarantees:
      'publish resolves on the broker confirm and rejects on nack, return (commands are mandatory), timeout (10 s), ' +
      'closed channel or a full in-flight bound (500, then backpressure); CloudEvents envelope, validated at both ends. ' +
      'Consume: ack after the handler resolved; a failure is parked in the DLQ with its reason.',
    async open(queue, { onMessage }) {
      await provision(options.amqpUrl, benchTopology(queue));
      let app: INestApplicationContext;
      if (onMessage) {
        const service = await NestFactory.create(OrderlyBenchModule.register(options, queue, onMessage), {
          logger: ['error', 'warn'],
        });
        service.connectMicroservice({ strategy: service.get(AmqpServer) }, { inheritAppConfig: true });
        await service.startAllMicroservices();
        await service.init();
        app = service;
      } else {
        app = await NestFactory.createApplicationContext(OrderlyBenchModule.register(options, queue), {
          logger: ['error', 'warn'],
        });
      }
      // Connecting is not part of any measurement: wait until the service would report itself ready.
      await untilReady(app.get(BrokerReadinessProbe));
      const client = app.get(AmqpClient);
      return {
        send: (message) => client.publish(BenchMessageSent, BenchMessageSent.create(message, SOURCE)),
        close: () => app.close(),
      };
    },
  };
}

/** Declares the topology's exchanges, queues and bindings with an administrator's connection. */
export async function provision(amqpUrl: string, topology: TopologyDeclaration): Promise<void> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const exchange of resolveExchanges(topology)) {
      await channel.assertExchange(exchange.name, exchange.type, { durable: true });
    }
    for (const queue of resolveQueues(topology)) {
      await channel.assertQueue(queue.name, { durable: true, arguments: queue.arguments });
      for (const binding of queue.bindings)
        await channel.bindQueue(queue.name, binding.exchange, binding.routingKey);
    }
  } finally {
    await connection.close();
  }
}

async function untilReady(probe: BrokerReadinessProbe, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe.check();
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`orderly endpoint not ready after ${timeoutMs} ms: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
