// Runs in a worker thread (see latency.ts): the load generator of the latency measurements. Writers of
// a real system run in other processes than the relay; a thread of its own keeps the generator's work
// off the relay's event loop, as far as two cores allow.
//
// It commits through OutboxWriter on plain `pg` transactions (BEGIN; the writer's INSERT … pg_notify;
// COMMIT), not on Prisma's: the database runs the same statements, but a Prisma 7 interactive
// transaction costs about 1.5 ms of CPU here (500 commits/s took 75% of a core, and its latency grew
// with concurrency: p50 9 ms with 8 connections), so 5,000 commits/s through Prisma would need more
// cores than this machine has, and would measure Prisma instead of the outbox.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { OutboxWriter, type OutboxTransaction } from '@orderly/outbox';
import { Pool, type PoolClient } from 'pg';
import { benchEvent, BenchMessageWritten } from './bench-event';

export interface WriterLoadPlan {
  databaseUrl: string;
  ratePerS: number;
  durationMs: number;
  poolSize: number;
  notify: boolean;
  messageBytes: number;
  aggregates: number;
  lateAfterMs: number;
  /** Commits scheduled before this (ms from start) are not recorded. */
  warmupMs: number;
}

export interface WriterLoadResult {
  scheduled: number;
  committed: number;
  failed: number;
  /** Commits that started more than `lateAfterMs` after their scheduled time. */
  late: number;
  /** BEGIN … COMMIT as the writer saw it, for the commits after the warm-up. */
  commitMs: number[];
  /** Commits after the warm-up per second of the steady phase. */
  achievedPerS: number;
  firstError?: string;
}

async function run(plan: WriterLoadPlan): Promise<WriterLoadResult> {
  const pool = new Pool({ connectionString: plan.databaseUrl, max: plan.poolSize });
  pool.on('error', () => undefined); // an idle connection that dies is replaced at the next checkout
  const writer = new OutboxWriter({ notify: plan.notify });
  const result: WriterLoadResult = { scheduled: 0, committed: 0, failed: 0, late: 0, commitMs: [], achievedPerS: 0 };
  const total = Math.round((plan.ratePerS * plan.durationMs) / 1000);
  const intervalMs = 1000 / plan.ratePerS;
  // Created up front: the schedule measures commits, not zod and randomUUID.
  const messages = Array.from({ length: total }, (_, seq) => benchEvent(seq, plan.aggregates, plan.messageBytes));
  let measured = 0;
  const inFlight = new Set<Promise<void>>();
  const commit = (seq: number, dueAt: number) => {
    const startedAt = performance.now();
    if (startedAt - dueAt > plan.lateAfterMs) result.late++;
    const counted = dueAt - start >= plan.warmupMs;
    const done = inTransaction(pool, (tx) => writer.add(tx, BenchMessageWritten, messages[seq]))
      .then(
        () => {
          result.committed++;
          if (counted) {
            measured++;
            result.commitMs.push(performance.now() - startedAt);
          }
        },
        (error: unknown) => {
          result.failed++;
          result.firstError ??= error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  // Warm the pool up before the clock starts.
  await Promise.all(Array.from({ length: plan.poolSize }, () => pool.query('SELECT 1')));
  const start = performance.now();
  let steady = false;
  // Open loop: commit i is due at start + i × interval, whatever happened to the earlier ones. Waits
  // only when every pooled connection is busy (the writer cannot go faster than the database).
  while (result.scheduled < total) {
    const now = performance.now();
    if (!steady && now - start >= plan.warmupMs) {
      steady = true;
      parentPort?.postMessage({ steady: true });
    }
    const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
    while (result.scheduled < due && inFlight.size < plan.poolSize) {
      commit(result.scheduled, start + result.scheduled * intervalMs);
      result.scheduled++;
    }
    // A timer tick, not setImmediate: a spinning loop would take a core from the database and the broker.
    if (inFlight.size >= plan.poolSize) await Promise.race(inFlight);
    else await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  result.achievedPerS = measured / ((plan.durationMs - plan.warmupMs) / 1000);
  await pool.end();
  return result;
}

/** BEGIN; work(tx); COMMIT on one pooled connection: what Prisma's $transaction sends, without Prisma. */
async function inTransaction(pool: Pool, work: (tx: OutboxTransaction) => Promise<void>): Promise<void> {
  const connection: PoolClient = await pool.connect();
  const failed = () => undefined; // a connection lost between statements fails the next one
  connection.on('error', failed);
  try {
    await connection.query('BEGIN');
    await work({ $executeRawUnsafe: (query, ...values) => connection.query(query, values).then((r) => r.rowCount ?? 0) });
    await connection.query('COMMIT');
    connection.off('error', failed);
    connection.release();
  } catch (error) {
    connection.off('error', failed);
    connection.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

run(workerData as WriterLoadPlan).then(
  (result) => parentPort?.postMessage({ result }),
  (error: unknown) => parentPort?.postMessage({ error: error instanceof Error ? error.stack : String(error) }),
);
