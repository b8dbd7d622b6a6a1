import type { BenchSettings } from '../../lib/bench-settings';
import { positiveNumber } from '../../lib/bench-settings';

/** Every number of the retry suite, declared once. Message counts scale with BENCH_SCALE. */
export function retryBenchSettings(bench: BenchSettings, env: NodeJS.ProcessEnv = process.env) {
  const scaled = (n: number) => Math.max(100, Math.round(n * bench.scale));
  return {
    /** Messages per measurement, all in the queue before the consumer starts. */
    messages: scaled(10_000),
    warmupMessages: scaled(1_000),
    /** Rounds of (0% failing, 10% failing), the order alternating each round. */
    rounds: Math.round(positiveNumber(env, 'BENCH_ROUNDS', 2)),
    /** Share of messages whose first handling fails (the rest succeed at once). */
    failingShare: 0.1,
    /**
     * The queue's ladder: one 200 ms tier. Short on purpose: the suite measures what a failure costs the
     * consumer (a rolled-back transaction, a confirmed publish to the tier, a second delivery), not how
     * long a message waits; with the default 1 s first tier the last retries would only add idle time
     * at the end of a finite run.
     */
    retry: { delaysMs: [200], maxAttempts: 3 },
    /** Unacknowledged deliveries = handlers (inbox transactions) running at once. */
    prefetch: 100,
    /**
     * Database connections of the consumer process (libs/database's `poolSize`, 10 by default). Every
     * handling is a durable commit that waits for its WAL flush; with 10 connections the process could
     * not have more than 10 commits in flight whatever the prefetch, and goodput would measure the pool.
     */
    databasePoolSize: 50,
    /** Publishes awaiting a confirm while the queue is filled (not timed). */
    prefillWindow: 500,
    messageBytes: 512,
    /** Give up on a measurement after this long. */
    timeoutMs: 600_000,
  };
}

export type RetryBenchSettings = ReturnType<typeof retryBenchSettings>;
