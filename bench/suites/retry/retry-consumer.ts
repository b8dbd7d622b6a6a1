import { Controller, type DynamicModule, Global, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import {
  defineEvent,
  type MessageOf,
  QueueDefaults,
  resolveExchanges,
  resolveQueues,
  type TopologyDeclaration,
} from '@orderly/contracts';
import { AmqpClient, AmqpServer, Handles, MESSAGING_HOOKS, MessagingModule, type MessagingHooks } from '@orderly/messaging';
import { type Prisma, PrismaClient as OrderDatabase } from '@orderly/order-db';
import { Idempotent, OutboxModule, Transaction } from '@orderly/outbox';
import { PrismaPg } from '@prisma/adapter-pg';
import { connect } from 'amqplib';
import { z } from 'zod';
import type { RetryBenchSettings } from './retry-bench-settings';

export const RETRY_BENCH_SERVICE = 'bench-retry-service';
const exchange = 'bench-retry.events';
const queue = `${RETRY_BENCH_SERVICE}.events`;

export const RetryBenchEvent = defineEvent({
  type: 'bench.parcel-scanned',
  version: 1,
  exchange,
  schema: z.object({ seq: z.number().int().min(0), pad: z.string() }),
});
type RetryBenchEvent = MessageOf<typeof RetryBenchEvent>;

export function retryBenchTopology(settings: RetryBenchSettings): TopologyDeclaration {
  return {
    vhost: 'bench',
    exchanges: [{ name: exchange, type: 'topic', owner: RETRY_BENCH_SERVICE }],
    queues: [
      {
        name: queue,
        owner: RETRY_BENCH_SERVICE,
        ...QueueDefaults,
        retry: settings.retry,
        bindings: [{ exchange, messages: [RetryBenchEvent] }],
      },
    ],
    services: [{ name: RETRY_BENCH_SERVICE, publishesTo: [exchange] }],
    policies: [],
  };
}

/** Declares the topology as the broker app's `provision` would (the suite's admin user owns everything). */
export async function provisionRetryBench(amqpUrl: string, topology: TopologyDeclaration): Promise<void> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const e of resolveExchanges(topology)) await channel.assertExchange(e.name, e.type, { durable: true });
    for (const q of resolveQueues(topology)) {
      await channel.assertQueue(q.name, { durable: true, arguments: q.arguments });
      for (const b of q.bindings) await channel.bindQueue(q.name, b.exchange, b.routingKey);
    }
  } finally {
    await connection.close();
  }
}

/** What one measurement observed, filled in by the handler and the failure hook. */
export class Tally {
  firstAt?: number;
  lastSuccessAt?: number;
  succeeded = 0;
  failed = 0;
  retried = 0;
  deadLettered = 0;
  readonly failedOnce = new Set<string>();
  onDone?: () => void;

  constructor(
    readonly expected: number,
    readonly failEvery: number,
  ) {}
}

const current: { tally?: Tally } = {};

@Controller()
class ParcelScannedHandler {
  /** Writes one row (its effect) in the inbox's transaction; every `failEvery`-th message fails its first handling, after the write. */
  @Handles(RetryBenchEvent)
  @Idempotent({ consumer: `${queue}#scan` })
  async scanned(@Payload() event: RetryBenchEvent, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    const tally = current.tally;
    if (!tally) throw new Error('no measurement running');
    tally.firstAt ??= performance.now();
    await tx.order.create({ data: { customerId: event.id, totalMinor: event.data.seq, currency: 'EUR' } });
    if (tally.failEvery > 0 && event.data.seq % tally.failEvery === 0 && !tally.failedOnce.has(event.id)) {
      tally.failedOnce.add(event.id);
      tally.failed++;
      throw new Error(`scanner busy for parcel ${event.data.seq}`);
    }
    tally.succeeded++;
    if (tally.succeeded === tally.expected) {
      tally.lastSuccessAt = performance.now();
      tally.onDone?.();
    }
  }
}

/** Counts retries and dead letters instead of the default telemetry hooks (nothing exports their figures here). */
const countingHooks: MessagingHooks = {
  onFailure(disposition) {
    if (!current.tally) return;
    if (disposition.outcome === 'retry') current.tally.retried++;
    else current.tally.deadLettered++;
  },
};

@Global()
@Module({ providers: [{ provide: MESSAGING_HOOKS, useValue: countingHooks }], exports: [MESSAGING_HOOKS] })
class CountingHooksModule {}

@Module({})
class RetryBenchModule {
  static register(amqpUrl: string, databaseUrl: string, database: OrderDatabase, settings: RetryBenchSettings): DynamicModule {
    return {
      module: RetryBenchModule,
      imports: [
        CountingHooksModule,
        MessagingModule.forRoot({
          url: amqpUrl,
          connectionName: `${RETRY_BENCH_SERVICE} (bench)`,
          service: RETRY_BENCH_SERVICE,
          topology: retryBenchTopology(settings),
          prefetch: settings.prefetch,
        }),
        OutboxModule.forRoot({ database, databaseUrl, relayName: 'bench-retry', runRelay: false }),
      ],
      controllers: [ParcelScannedHandler],
    };
  }
}

const pads = new Map<number, string>();
function event(seq: number, bytes: number): RetryBenchEvent {
  let pad = pads.get(bytes);
  if (pad === undefined) {
    pad = 'x'.repeat(Math.max(0, bytes - JSON.stringify({ seq: 999_999, pad: '' }).length));
    pads.set(bytes, pad);
  }
  return RetryBenchEvent.create({ seq, pad }, { source: '/orderly/bench-retry-service' });
}

export interface GoodputRun {
  failingPct: number;
  messages: number;
  seconds: number;
  goodputPerS: number;
  failedHandlings: number;
  retried: number;
  deadLettered: number;
}

/**
 * One measurement: fills the queue with `count` messages (not timed), then starts a consumer process's
 * transport and times from its first handling until the last message succeeded.
 */
export async function measureGoodput(
  amqpUrl: string,
  databaseUrl: string,
  settings: RetryBenchSettings,
  count: number,
  failEvery: number,
): Promise<GoodputRun> {
  const database = new OrderDatabase({ adapter: new PrismaPg({ connectionString: databaseUrl, max: settings.databasePoolSize }) });
  let app: INestApplication | undefined;
  const tally = new Tally(count, failEvery);
  current.tally = tally;
  try {
    app = await NestFactory.create(RetryBenchModule.register(amqpUrl, databaseUrl, database, settings), { logger: ['error'] });
    await app.init();
    const client = app.get(AmqpClient);
    const inFlight = new Set<Promise<void>>();
    for (let seq = 0; seq < count; seq++) {
      const publish = client.publish(RetryBenchEvent, event(seq, settings.messageBytes)).finally(() => inFlight.delete(publish));
      inFlight.add(publish);
      if (inFlight.size >= settings.prefillWindow) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);

    const done = new Promise<void>((resolve, reject) => {
      tally.onDone = resolve;
      setTimeout(() => reject(new Error(`timed out: ${tally.succeeded} of ${count} succeeded`)), settings.timeoutMs).unref();
    });
    app.connectMicroservice({ strategy: app.get(AmqpServer) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await done;
    const seconds = ((tally.lastSuccessAt ?? 0) - (tally.firstAt ?? 0)) / 1000;
    return {
      failingPct: failEvery > 0 ? Math.round(100 / failEvery) : 0,
      messages: count,
      seconds,
      goodputPerS: count / seconds,
      failedHandlings: tally.failed,
      retried: tally.retried,
      deadLettered: tally.deadLettered,
    };
  } finally {
    current.tally = undefined;
    await app?.close();
    await database.$disconnect();
  }
}
