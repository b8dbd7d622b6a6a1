import { type DynamicModule, Global, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagingModule } from '@orderly/messaging';
import { PrismaClient as OrderDatabase } from '@orderly/order-db';
import { OUTBOX_METRICS, OutboxModule, type OutboxMetrics, type OutboxModuleOptions } from '@orderly/outbox';
import { PrismaPg } from '@prisma/adapter-pg';
import { BENCH_OUTBOX_SERVICE, BenchOutboxTopology } from './bench-event';

/** What the relay reported, with a hook for the suite to act on confirms as they come. */
export class BenchMetrics implements OutboxMetrics {
  published_ = 0;
  failed = 0;
  onPublished?: (total: number) => void;
  onLatency?: (seconds: number) => void;

  published(count: number): void {
    this.published_ += count;
    this.onPublished?.(this.published_);
  }
  commitToConfirm(seconds: number): void {
    this.onLatency?.(seconds);
  }
  publishFailed(_reason: string, count: number): void {
    this.failed += count;
  }
}

@Global()
@Module({})
class BenchMetricsModule {
  static providing(metrics: BenchMetrics): DynamicModule {
    return { module: BenchMetricsModule, providers: [{ provide: OUTBOX_METRICS, useValue: metrics }], exports: [OUTBOX_METRICS] };
  }
}

@Module({})
class RelayServiceModule {
  static register(amqpUrl: string, outbox: OutboxModuleOptions, metrics: BenchMetrics): DynamicModule {
    return {
      module: RelayServiceModule,
      imports: [
        MessagingModule.forRoot({ url: amqpUrl, connectionName: `${BENCH_OUTBOX_SERVICE} (bench relay)`, service: BENCH_OUTBOX_SERVICE, topology: BenchOutboxTopology }),
        OutboxModule.forRoot(outbox),
        BenchMetricsModule.providing(metrics),
      ],
    };
  }
}

/**
 * A service process as far as the outbox is concerned: MessagingModule and OutboxModule wired as in an
 * app module, with every relay setting at its default unless `overrides` says otherwise. `init()` starts the relay (onApplicationBootstrap);
 * `close()` stops it gracefully, then messaging.
 */
export async function startRelayService(
  amqpUrl: string,
  databaseUrl: string,
  metrics: BenchMetrics,
  overrides: Partial<OutboxModuleOptions> = {},
): Promise<{ app: INestApplicationContext; close(): Promise<void> }> {
  const database = new OrderDatabase({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  const app = await NestFactory.createApplicationContext(
    RelayServiceModule.register(amqpUrl, { database, databaseUrl, relayName: 'bench-relay', ...overrides }, metrics),
    { logger: ['error', 'warn'] },
  );
  await app.init();
  return {
    app,
    async close() {
      await app.close();
      await database.$disconnect();
    },
  };
}
