import { performance } from 'node:perf_hooks';
import { PrismaClient as OrderDatabase } from '@orderly/order-db';
import { OutboxWriter } from '@orderly/outbox';
import { PrismaPg } from '@prisma/adapter-pg';
import type { BenchDatabase } from './bench-database';
import { benchEvent, BenchMessageWritten } from './bench-event';
import type { BrokerAdmin, CapturedMessage } from './broker-admin';
import type { OutboxModuleOptions } from '@orderly/outbox';
import type { OutboxBenchSettings } from './outbox-bench-settings';
import { BenchMetrics, startRelayService } from './relay-service';

export interface DrainRun {
  messages: number;
  prefillSeconds: number;
  /** From the commit that made every row visible to the last row marked sent. */
  drainSeconds: number;
  relayPerS: number;
  publishFailures: number;
}

/**
 * Relay drain: the relay runs idle; `count` rows are written in ONE transaction (so they become visible
 * at once, and one notification wakes the relay); timed from that commit until every row is confirmed
 * by the broker and marked sent. The relay publishes into `queue`, from which the caller can take the
 * messages for the baseline.
 */
export async function measureDrain(
  amqpUrl: string,
  database: BenchDatabase,
  settings: OutboxBenchSettings,
  count: number,
  relaySettings: Partial<OutboxModuleOptions> = {},
): Promise<DrainRun> {
  await database.reset();
  const metrics = new BenchMetrics();
  const relay = await startRelayService(amqpUrl, database.url, metrics, relaySettings);
  const client = new OrderDatabase({ adapter: new PrismaPg({ connectionString: database.url }) });
  try {
    const writer = new OutboxWriter({ notify: true });
    const aggregates = Math.max(1, Math.round(count / settings.messagesPerAggregate));
    const prefillStarted = performance.now();
    let committedAt = 0;
    await client.$transaction(
      async (tx) => {
        for (let start = 0; start < count; start += settings.prefillTransactionSize) {
          const size = Math.min(settings.prefillTransactionSize, count - start);
          await writer.add(tx, BenchMessageWritten, Array.from({ length: size }, (_, i) => benchEvent(start + i, aggregates, settings.messageBytes)));
        }
      },
      { timeout: settings.drainTimeoutMs, maxWait: 10_000 },
    );
    committedAt = performance.now();
    const allConfirmed = new Promise<void>((resolve) => {
      metrics.onPublished = (total) => total >= count && resolve();
      if (metrics.published_ >= count) resolve();
    });
    await withTimeout(allConfirmed, settings.drainTimeoutMs, () => `the relay confirmed ${metrics.published_} of ${count}`);
    // The last batch's mark follows its confirms by a round trip or two.
    for (;;) {
      const [{ unsent }] = await database.query<{ unsent: number }>('SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL');
      if (unsent === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const drainSeconds = (performance.now() - committedAt) / 1000;
    return {
      messages: count,
      prefillSeconds: (committedAt - prefillStarted) / 1000,
      drainSeconds,
      relayPerS: count / drainSeconds,
      publishFailures: metrics.failed,
    };
  } finally {
    await relay.close();
    await client.$disconnect();
  }
}

/** The same messages published again by raw amqplib into another queue: the ceiling for the relay. */
export async function measureRawPublish(admin: BrokerAdmin, messages: readonly CapturedMessage[], window: number): Promise<number> {
  return admin.publishRaw(messages, window);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${describe()}`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
