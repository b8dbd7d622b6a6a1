import { AmqpConnection, RabbitMQModule, RabbitSubscribe } from '@golevelup/nestjs-rabbitmq';
import { type DynamicModule, Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { BenchMessage } from './bench-message';
import type { AdapterOptions, MessagingAdapter } from './messaging-adapter';

const HANDLER_NAME = 'bench-consumer';
const MESSAGE_SINK = Symbol('golevelup-bench-sink');

type MessageSink = (message: BenchMessage) => void;

@Injectable()
class BenchSubscriber {
  constructor(@Inject(MESSAGE_SINK) private readonly sink: MessageSink) {}

  // The queue comes from the module's `handlers` map (it is only known at run time); returning
  // nothing makes golevelup ack after the handler.
  @RabbitSubscribe({ name: HANDLER_NAME })
  handle(message: BenchMessage): void {
    this.sink(message);
  }
}

@Module({})
class GolevelupBenchModule {
  static register(
    amqpUrl: string,
    queue: string,
    prefetch: number,
    noDelay: boolean,
    sink?: MessageSink,
  ): DynamicModule {
    return {
      module: GolevelupBenchModule,
      imports: [
        RabbitMQModule.forRoot({
          uri: amqpUrl,
          prefetchCount: prefetch,
          connectionManagerOptions: { connectionOptions: { noDelay } },
          enableDirectReplyTo: false, // no RPC here: don't consume the reply pseudo-queue
          registerHandlers: Boolean(sink),
          handlers: sink ? { [HANDLER_NAME]: { queue, createQueueIfNotExists: false } } : {},
          defaultPublishOptions: { persistent: true },
        }),
      ],
      providers: sink ? [BenchSubscriber, { provide: MESSAGE_SINK, useValue: sink }] : [],
    };
  }
}

/**
 * @golevelup/nestjs-rabbitmq: `AmqpConnection.publish` (awaited: its channel is an amqp-connection-manager
 * confirm channel, so it resolves on the broker confirm) and a `@RabbitSubscribe` handler on the default
 * channel with the suite's prefetch. One Nest application context per endpoint: the module keeps its
 * connections in static state, so only one may be alive at a time in a process.
 */
export function golevelupAdapter({ amqpUrl, prefetch, noDelay }: AdapterOptions): MessagingAdapter {
  return {
    subject: 'golevelup',
    guarantees:
      'publish resolves on the broker confirm (amqp-connection-manager confirm channel), persistent via ' +
      '`defaultPublishOptions`, no `mandatory`, while disconnected publishes are buffered in memory without bound. ' +
      'Consume: ack after the handler returns (a throwing handler is requeued at once, forever, by default).',
    async open(queue, { onMessage }) {
      const app = await NestFactory.createApplicationContext(
        GolevelupBenchModule.register(amqpUrl, queue, prefetch, noDelay, onMessage),
        { logger: ['error', 'warn'] },
      );
      const amqp = app.get(AmqpConnection);
      return {
        send: async (message) => {
          await amqp.publish('', queue, message, { contentType: 'application/json' });
        },
        close: () => app.close(),
      };
    },
  };
}
