import type { OutboxModuleOptions } from '@orderly/outbox';
import { positiveNumber, type BenchSettings } from '../../lib/bench-settings';

/**
 * The numbers of the outbox suite, declared once. Message counts and durations scale with BENCH_SCALE;
 * the relay itself runs with OutboxDefaults (what services get), so the figures describe the defaults.
 */
export interface OutboxBenchSettings {
  /** Rows pre-filled and drained per round. 100k × BENCH_SCALE. */
  drainMessages: number;
  /** Drain rounds (relay, then raw amqplib on the same messages). BENCH_ROUNDS, default 2. */
  rounds: number;
  /** Rows drained once before anything is measured (JIT, connections, the table's first pages). */
  warmupMessages: number;
  /** Each aggregate gets this many messages, spread over the table (ids `aggregates` apart). */
  messagesPerAggregate: number;
  /** Rows per transaction while pre-filling. */
  prefillTransactionSize: number;
  /** Size of the JSON data of each message (the CloudEvents envelope comes on top). */
  messageBytes: number;
  /** Unconfirmed publishes the raw amqplib baseline keeps in flight: the relay's batchSize × workers. */
  rawPublishWindow: number;
  /** Commit rates of the latency measurements, commits/s (one message per commit). */
  latencyRates: number[];
  /** Seconds of steady load per latency measurement (after the warm-up). 10 × BENCH_SCALE, at least 3. */
  latencySeconds: number;
  /** Seconds of load before samples count. */
  latencyWarmupSeconds: number;
  /** Connections of the writer's Prisma pool: concurrent transactions at most. */
  writerPoolSize: number;
  /** A commit that starts later than this after its scheduled time counts as late (the load generator fell behind). */
  lateAfterMs: number;
  /** How long a drain may take before the run fails. */
  drainTimeoutMs: number;
  /** Relay settings other than the defaults, each drained once more (results in `variants`). */
  drainVariants: Array<{ name: string; relay: Partial<OutboxModuleOptions> }>;
}

export function outboxBenchSettings(bench: BenchSettings, env: NodeJS.ProcessEnv = process.env): OutboxBenchSettings {
  const scaled = (count: number) => Math.max(1_000, Math.round(count * bench.scale));
  return {
    drainMessages: scaled(100_000),
    rounds: Math.round(positiveNumber(env, 'BENCH_ROUNDS', 2)),
    warmupMessages: scaled(5_000),
    messagesPerAggregate: 5,
    prefillTransactionSize: 2_000,
    messageBytes: 1024,
    rawPublishWindow: 500,
    latencyRates: [1_000, 5_000],
    latencySeconds: Math.max(3, 10 * bench.scale),
    latencyWarmupSeconds: 2,
    writerPoolSize: 16,
    lateAfterMs: 5,
    drainTimeoutMs: 300_000,
    drainVariants: [
      { name: 'sentRetentionMs 0 (delete on confirm)', relay: { sentRetentionMs: 0 } },
      { name: 'workers 4', relay: { workers: 4 } },
      { name: 'batchSize 500', relay: { batchSize: 500 } },
    ],
  };
}
