import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { percentile } from '../../lib/percentile';
import type { BenchDatabase } from './bench-database';
import type { OutboxModuleOptions } from '@orderly/outbox';
import type { OutboxBenchSettings } from './outbox-bench-settings';
import { BenchMetrics, startRelayService } from './relay-service';
import { sampleWaitEvents } from './wait-events';
import type { WriterLoadPlan, WriterLoadResult } from './writer-load.worker';

export interface LatencyRun {
  ratePerS: number;
  notify: boolean;
  /** Commit-to-confirm of the commits after the warm-up, as the relay's metric reports it (ms). */
  commitToConfirmMs: { p50: number; p99: number; max: number; samples: number };
  /** BEGIN … COMMIT as the writer saw it (ms): where NOTIFY's commit-time lock shows. */
  commitMs: { p50: number; p99: number; max: number };
  achievedPerS: number;
  late: number;
  failed: number;
  /** Share (%) of sampled database sessions per wait event during the load (see wait-events.ts). */
  databaseWaits: Record<string, number>;
}

/**
 * Fixed-rate writes with the relay running (defaults: LISTEN/NOTIFY, batch 250, 2 workers): a worker
 * thread commits one message per transaction through OutboxWriter on the service's Prisma client, open
 * loop; the relay's commitToConfirm metric gives the latency of each message, from its insert to the
 * broker's confirm (for a one-statement transaction the insert is within a millisecond of the commit).
 */
export async function measureLatency(
  amqpUrl: string,
  database: BenchDatabase,
  settings: OutboxBenchSettings,
  ratePerS: number,
  notify: boolean,
  relaySettings: Partial<OutboxModuleOptions> = {},
): Promise<LatencyRun> {
  await database.reset();
  const metrics = new BenchMetrics();
  const samples: number[] = [];
  let recording = false;
  metrics.onLatency = (seconds) => {
    if (recording) samples.push(seconds * 1000);
  };
  const relay = await startRelayService(amqpUrl, database.url, metrics, relaySettings);
  try {
    const warmupMs = settings.latencyWarmupSeconds * 1000;
    const plan: WriterLoadPlan = {
      databaseUrl: database.url,
      ratePerS,
      durationMs: warmupMs + settings.latencySeconds * 1000,
      poolSize: settings.writerPoolSize,
      notify,
      messageBytes: settings.messageBytes,
      aggregates: 10_000,
      lateAfterMs: settings.lateAfterMs,
      warmupMs,
    };
    const started = performance.now();
    const waits = sampleWaitEvents(database);
    let writer: WriterLoadResult;
    let databaseWaits: Record<string, number>;
    try {
      writer = await runWriterLoad(plan, () => (recording = true));
    } finally {
      databaseWaits = await waits.stop();
    }
    // The last commits' confirms still count; then stop recording and let the relay drain.
    await until(() => metrics.published_ >= writer.committed, settings.drainTimeoutMs, () => `relay confirmed ${metrics.published_} of ${writer.committed}`);
    recording = false;
    if (performance.now() - started < plan.durationMs) throw new Error('the writer finished before its schedule: measurement invalid');
    const stats = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) });
    return {
      ratePerS,
      notify,
      commitToConfirmMs: { ...stats(samples), samples: samples.length },
      commitMs: stats(writer.commitMs),
      achievedPerS: writer.achievedPerS,
      late: writer.late,
      failed: writer.failed,
      databaseWaits,
    };
  } finally {
    await relay.close();
  }
}

function runWriterLoad(plan: WriterLoadPlan, onSteady: () => void): Promise<WriterLoadResult> {
  const entry = path.join(__dirname, 'writer-load.worker.ts');
  // The worker loads TypeScript the way tools/scripts/run-ts.mjs does for the main thread.
  const worker = new Worker(`require('@swc-node/register'); require(${JSON.stringify(entry)});`, { eval: true, workerData: plan });
  return new Promise((resolve, reject) => {
    worker.on('message', (message: { steady?: boolean; result?: WriterLoadResult; error?: string }) => {
      if (message.steady) return onSteady();
      if (message.result) resolve(message.result);
      else reject(new Error(`writer load failed: ${message.error}`));
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

async function until(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
