import { Controller, type DynamicModule, Inject, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientsModule,
  Ctx,
  EventPattern,
  Payload,
  RmqContext,
  Transport,
  type ClientProxy,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import type { Channel, Message } from 'amqplib';
import { lastValueFrom } from 'rxjs';
import type { BenchMessage } from './bench-message';
import type { AdapterOptions, MessagingAdapter } from './messaging-adapter';

const BENCH_EVENT = 'bench.message';
const BENCH_CLIENT = Symbol('nest-rmq-bench-client');
const MESSAGE_SINK = Symbol('nest-rmq-bench-sink');

type MessageSink = (message: BenchMessage) => void;

// Nest hands `socketOptions.connectionOptions` to amqp-connection-manager, which hands it to amqplib.
const socketOptions = (noDelay: boolean) => ({ connectionOptions: { noDelay } });

@Controller()
class BenchEventsController {
  constructor(@Inject(MESSAGE_SINK) private readonly sink: MessageSink) {}

  // With `noAck: false` Nest leaves acknowledging to the handler (Nest's documented way).
  @EventPattern(BENCH_EVENT)
  handle(@Payload() message: BenchMessage, @Ctx() context: RmqContext): void {
    this.sink(message);
    (context.getChannelRef() as Channel).ack(context.getMessage() as Message);
  }
}

@Module({})
class NestRmqBenchModule {
  static register(amqpUrl: string, queue: string, noDelay: boolean, sink?: MessageSink): DynamicModule {
    return {
      module: NestRmqBenchModule,
      imports: [
        ClientsModule.register([
          {
            name: BENCH_CLIENT,
            transport: Transport.RMQ,
            // Nest's default is persistent: false; the queue is ours (quorum), so no assert.
            options: {
              urls: [amqpUrl],
              queue,
              persistent: true,
              noAssert: true,
              socketOptions: socketOptions(noDelay),
            },
          },
        ]),
      ],
      controllers: sink ? [BenchEventsController] : [],
      providers: [{ provide: MESSAGE_SINK, useValue: sink ?? (() => undefined) }],
    };
  }
}

/**
 * NestJS's built-in `Transport.RMQ`, configured the fairest way: a ClientProxy `emit` to publish (awaited:
 * amqp-connection-manager gives Nest a confirm channel, so the emit completes on the broker confirm),
 * persistent messages, TCP_NODELAY, and a real Nest microservice with an `@EventPattern` handler, `noAck: false` and
 * the suite's prefetch. Nest's defaults would be auto-ack, unlimited prefetch and transient messages.
 */
export function nestRmqAdapter({ amqpUrl, prefetch, noDelay }: AdapterOptions): MessagingAdapter {
  return {
    subject: 'nest-rmq',
    guarantees:
      'emit completes on the broker confirm (amqp-connection-manager confirm channel), persistent only because we set ' +
      '`persistent: true` (default false), no `mandatory`, no publish timeout, and while disconnected publishes are ' +
      'buffered in memory without bound. Consume: `noAck: false` + ack in the handler (default: auto-ack, prefetch 0 = unlimited).',
    async open(queue, { onMessage }) {
      let app: INestApplicationContext;
      if (onMessage) {
        const microservice = await NestFactory.createMicroservice<MicroserviceOptions>(
          NestRmqBenchModule.register(amqpUrl, queue, noDelay, onMessage),
          {
            transport: Transport.RMQ,
            options: {
              urls: [amqpUrl],
              queue,
              noAck: false,
              prefetchCount: prefetch,
              noAssert: true,
              socketOptions: socketOptions(noDelay),
            },
            logger: ['error', 'warn'],
          },
        );
        await microservice.listen();
        app = microservice;
      } else {
        app = await NestFactory.createApplicationContext(
          NestRmqBenchModule.register(amqpUrl, queue, noDelay),
          {
            logger: ['error', 'warn'],
          },
        );
      }
      const client = app.get<ClientProxy>(BENCH_CLIENT);
      await client.connect();
      return {
        send: (message) => lastValueFrom(client.emit(BENCH_EVENT, message), { defaultValue: undefined }),
        close: () => app.close(),
      };
    },
  };
}
