import './traced-messaging.telemetry';
import { Controller, Get, Inject, Module, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { defineEvent, type MessageOf, type TopologyDeclaration } from '@orderly/contracts';
import { AmqpClient, AmqpServer, Handles, MessagingModule } from '@orderly/messaging';
import { z } from 'zod';
import { BENCH_SERVICE, benchQueueDeclaration } from '../messaging/bench-queue';
import { provision } from '../messaging/orderly';

// One process of the tracing suite's publish/consume part: a service that publishes events with
// AmqpClient and consumes them with AmqpServer through the default hooks (spans + metrics), exactly
// as a service does; tracing is on or off by the OTEL_* variables the suite passes. The suite drives it
// over HTTP: GET /ready, GET /throughput (closed loop), GET /latency (open loop at a fixed rate).

const { PORT, AMQP_URL, BENCH_QUEUE, BENCH_EXCHANGE } = process.env;
if (!PORT || !AMQP_URL || !BENCH_QUEUE || !BENCH_EXCHANGE) throw new Error('PORT, AMQP_URL, BENCH_QUEUE and BENCH_EXCHANGE are required');

const BenchEventSent = defineEvent({
  type: 'bench.traced-event',
  version: 1,
  exchange: BENCH_EXCHANGE,
  schema: z.object({ seq: z.number().int().min(0), pad: z.string() }),
});
type BenchEventSent = MessageOf<typeof BenchEventSent>;

const topology: TopologyDeclaration = {
  vhost: 'bench',
  exchanges: [{ name: BENCH_EXCHANGE, type: 'topic', owner: BENCH_SERVICE }],
  queues: [{ ...benchQueueDeclaration(BENCH_QUEUE), bindings: [{ exchange: BENCH_EXCHANGE, messages: [BenchEventSent] }] }],
  services: [{ name: BENCH_SERVICE, publishesTo: [BENCH_EXCHANGE] }],
  policies: [],
};

/** 1 KB messages, as in the messaging suite. */
const PAD = 'x'.repeat(1000);
const SOURCE = { source: '/orderly/bench' };

/** Handled messages by seq: a publisher waits for its own message to be handled. */
const arrivals = new Map<number, () => void>();
let nextSeq = 0;

@Controller()
class BenchHandler {
  @Handles(BenchEventSent)
  handle(event: BenchEventSent): void {
    arrivals.get(event.data.seq)?.();
    arrivals.delete(event.data.seq);
  }
}

@Controller()
class DriveController {
  constructor(@Inject(AmqpClient) private readonly client: AmqpClient) {}

  @Get('ready')
  ready(): string {
    return 'ready';
  }

  /** `concurrency` messages always on the way: each is published, confirmed and handled before the next. */
  @Get('throughput')
  async throughput(@Query('concurrency') concurrency: string, @Query('seconds') seconds: string): Promise<{ messages: number; perSecond: number }> {
    const end = Date.now() + Number(seconds) * 1000;
    let messages = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Number(concurrency) }, async () => {
        while (Date.now() < end) {
          await this.roundTrip();
          messages += 1;
        }
      }),
    );
    return { messages, perSecond: messages / ((performance.now() - started) / 1000) };
  }

  /** Messages started at a fixed rate whatever came back (no coordinated omission): publish → handled, in ms. */
  @Get('latency')
  async latency(@Query('rate') rate: string, @Query('seconds') seconds: string): Promise<number[]> {
    const count = Math.round(Number(rate) * Number(seconds));
    const intervalMs = 1000 / Number(rate);
    const started = performance.now();
    const pending: Array<Promise<number>> = [];
    for (let i = 0; i < count; i += 1) {
      const wait = started + i * intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(
        (async () => {
          const sent = performance.now();
          await this.roundTrip();
          return performance.now() - sent;
        })(),
      );
    }
    return Promise.all(pending);
  }

  private async roundTrip(): Promise<void> {
    const seq = nextSeq++;
    const handled = new Promise<void>((resolve) => arrivals.set(seq, resolve));
    await this.client.publish(BenchEventSent, BenchEventSent.create({ seq, pad: PAD }, SOURCE));
    await handled;
  }
}

@Module({
  imports: [MessagingModule.forRoot({ url: AMQP_URL, connectionName: `${BENCH_SERVICE} (tracing bench)`, service: BENCH_SERVICE, topology })],
  controllers: [BenchHandler, DriveController],
})
class TracedMessagingModule {}

async function main(): Promise<void> {
  await provision(AMQP_URL as string, topology);
  const app = await NestFactory.create(TracedMessagingModule, { logger: ['error', 'warn'] });
  app.connectMicroservice({ strategy: app.get(AmqpServer) }, { inheritAppConfig: true });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(Number(PORT), '127.0.0.1');
}

void main();
