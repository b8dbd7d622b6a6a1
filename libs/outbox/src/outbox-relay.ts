import { Logger } from '@nestjs/common';
import type { AmqpClient } from '@orderly/messaging';
import { Pool, type PoolClient } from 'pg';
import type { OutboxSettings } from './outbox-defaults';
import type { OutboxHooks } from './outbox-hooks';
import type { OutboxMetrics, PublishFailureReason } from './outbox-metrics';
import { CLAIM_SQL, type ClaimedRow, DELETE_CONFIRMED_SQL, MARK_REFUSED_SQL, MARK_SENT_SQL, RELAY_SESSION_OPTIONS } from './outbox-sql';
import { publishBatch, type RowOutcome } from './relay/batch-publisher';
import { DatabaseClock } from './relay/database-clock';
import { OutboxListener } from './relay/outbox-listener';
import { type OutboxRow, outboxRowOf } from './relay/outbox-row';
import { type PublishFailure, retryDelayMs } from './relay/publish-failure';
import { publishRow } from './relay/publish-row';
import { RelayHousekeeping } from './relay/relay-housekeeping';
import { WakeSignal } from './relay/wake-signal';

export interface OutboxRelayOptions {
  /** postgres:// URL of the service's database (the one its writers add to). */
  databaseUrl: string;
  /** For logs and pg_stat_activity's application_name. */
  name: string;
  settings: OutboxSettings;
  client: AmqpClient;
  hooks?: OutboxHooks;
  metrics?: OutboxMetrics;
  /** Test seam: see RelayCrashPoints. */
  crashPoints?: RelayCrashPoints;
}

/**
 * Where a test can make the relay fail as if its process died. A throw from a crash point aborts the
 * batch: its claim transaction is rolled back (its connection is dropped, as a dying process's would be).
 */
export interface RelayCrashPoints {
  /** After a batch's publishes were confirmed, before its rows are marked sent. */
  beforeMark?(rowIds: readonly string[]): void | Promise<void>;
}

interface BatchResult {
  claimed: number;
  /** Set when publishing failed for a reason that is not the rows' own: the worker pauses. */
  transportFailure?: PublishFailure;
}

type State = 'idle' | 'running' | 'stopping' | 'stopped';

/**
 * Publishes what writers committed to the outbox table. `workers` loops, each:
 *
 *   BEGIN; claim ≤ batchSize rows (FOR UPDATE SKIP LOCKED, per-aggregate order, see CLAIM_SQL);
 *   publish them with pipelined confirms (publishBatch); UPDATE the confirmed ones sent_at = now(),
 *   back off the refused ones; COMMIT.
 *
 * A batch that could not be published in full is claimed again right away; otherwise the worker sleeps
 * until a writer's NOTIFY (OutboxListener) or `pollIntervalMs`. Anything going wrong between claim and
 * commit (crash, lost database connection) rolls the claim back: the rows are published again, which
 * is why consumers deduplicate (the inbox). Several relays (instances) run side by side safely.
 */
export class OutboxRelay {
  private readonly logger: Logger;
  private readonly settings: OutboxSettings;
  private readonly pool: Pool;
  private readonly listener: OutboxListener;
  private readonly housekeeping: RelayHousekeeping;
  private readonly clock = new DatabaseClock();
  private readonly wake = new WakeSignal();
  private readonly hooks: OutboxHooks;
  private readonly metrics: OutboxMetrics;
  private readonly pauses = new Set<() => void>();
  private state: State = 'idle';
  private workers: Promise<void>[] = [];
  private stopping?: Promise<void>;
  /** The last problem reported, so an outage is logged when it starts and ends, not at every attempt. */
  private trouble?: string;

  constructor(private readonly options: OutboxRelayOptions) {
    this.logger = new Logger(`OutboxRelay(${options.name})`);
    this.settings = options.settings;
    this.hooks = options.hooks ?? {};
    this.metrics = options.metrics ?? {};
    const connection = {
      connectionString: options.databaseUrl,
      application_name: options.name,
      // A relay that hangs while holding a claim must not hold its rows forever.
      idle_in_transaction_session_timeout: this.settings.claimTimeoutMs,
    };
    this.pool = new Pool({ ...connection, options: RELAY_SESSION_OPTIONS, max: this.settings.workers + 1 });
    // An idle pooled connection that dies emits here; the next checkout opens a new one.
    this.pool.on('error', (error) => this.logger.warn(`database connection lost: ${error.message}`));
    this.listener = new OutboxListener(connection, () => this.wake.notify(), this.settings.listenReconnectDelayMs, options.name);
    this.housekeeping = new RelayHousekeeping(this.pool, this.settings, this.clock, this.metrics, options.name);
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** True while the LISTEN connection is up (otherwise only polling wakes the relay). */
  get listening(): boolean {
    return this.listener.listening;
  }

  start(): void {
    if (this.state !== 'idle') throw new Error(`OutboxRelay ${this.options.name} cannot start: it is ${this.state}`);
    this.state = 'running';
    this.listener.start();
    this.housekeeping.start();
    this.workers = Array.from({ length: this.settings.workers }, () => this.work());
    this.logger.log(`relaying with ${this.settings.workers} workers, batches of ${this.settings.batchSize}`);
  }

  /** Graceful stop: the batches in flight are finished (up to `shutdownTimeoutMs`), nothing new is claimed. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Unsent rows and the age of the oldest, read now (also reported every `backlogIntervalMs`). */
  backlog(): Promise<{ messages: number; oldestAgeSeconds: number }> {
    return this.housekeeping.reportBacklog();
  }

  /** Runs one bounded retention cleanup now (it also runs every `cleanupIntervalMs`). */
  cleanUp(): Promise<{ outbox: number; inbox: number }> {
    return this.housekeeping.cleanUp();
  }

  private async work(): Promise<void> {
    while (this.state === 'running') {
      let result: BatchResult;
      try {
        result = await this.runBatch();
      } catch (error) {
        if (this.state !== 'running') break;
        this.troubled(`cannot claim or mark outbox rows: ${messageOf(error)}`);
        await this.pause(this.settings.transportRetryDelayMs);
        continue;
      }
      if (result.transportFailure) {
        this.troubled(`cannot publish (${result.transportFailure.error}); unsent rows stay and go out once the broker takes them`);
        await this.pause(this.settings.transportRetryDelayMs);
        continue;
      }
      if (result.claimed > 0) this.recovered();
      if (result.claimed < this.settings.batchSize) await this.wake.wait(this.settings.pollIntervalMs);
    }
  }

  private async runBatch(): Promise<BatchResult> {
    const connection = await this.pool.connect();
    // The connection sits idle in its transaction while the batch is published. If PostgreSQL ends it
    // meanwhile (a restart, claimTimeoutMs), pg emits 'error' on it, and with no listener that would
    // crash the process; the next query fails with the same error and the batch is aborted below.
    const ignoreUntilNextQuery = () => undefined;
    connection.on('error', ignoreUntilNextQuery);
    let result: BatchResult;
    try {
      result = await this.claimPublishMark(connection);
    } catch (error) {
      // Dropping the connection rolls the claim back: nothing was marked, all of it is published again.
      connection.off('error', ignoreUntilNextQuery);
      connection.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    connection.off('error', ignoreUntilNextQuery);
    connection.release();
    return result;
  }

  private async claimPublishMark(connection: PoolClient): Promise<BatchResult> {
    await connection.query('BEGIN');
    const { rows: claimed } = await connection.query<ClaimedRow>(CLAIM_SQL, [this.settings.batchSize]);
    if (claimed.length === 0) {
      await connection.query('COMMIT');
      return { claimed: 0 };
    }
    const rows = claimed.map(outboxRowOf);
    const outcomes = await publishBatch(rows, (row) => this.publish(row), DatabaseClock.localNow);
    this.report(outcomes);
    await this.options.crashPoints?.beforeMark?.(rows.map((row) => row.id));
    await this.mark(connection, outcomes);
    await connection.query('COMMIT');
    const transportFailure = outcomes.flatMap((o) => (o.status === 'failed' && o.failure.kind === 'transport' ? [o.failure] : []))[0];
    return { claimed: rows.length, transportFailure };
  }

  private publish(row: OutboxRow): Promise<void> {
    const publish = () => publishRow(this.options.client, row);
    if (!this.hooks.aroundPublish) return publish();
    const { message } = row;
    return this.hooks.aroundPublish(
      {
        messageId: message.id,
        type: message.type,
        exchange: row.exchange,
        routingKey: row.routingKey,
        correlationId: message.correlationId,
        traceContext: { traceparent: message.traceparent, tracestate: message.tracestate },
      },
      publish,
    );
  }

  private async mark(connection: PoolClient, outcomes: readonly RowOutcome[]): Promise<void> {
    const sent = outcomes.filter((o) => o.status === 'sent').map((o) => o.row.id);
    if (sent.length > 0) await connection.query(this.settings.sentRetentionMs === 0 ? DELETE_CONFIRMED_SQL : MARK_SENT_SQL, [sent]);
    const refused = outcomes.flatMap((o) => (o.status === 'failed' && o.failure.kind !== 'transport' ? [{ ...o, failure: o.failure }] : []));
    if (refused.length === 0) return;
    const delays = refused.map(({ row, failure }) => retryDelayMs(failure, row.attempts, this.settings));
    await connection.query(MARK_REFUSED_SQL, [refused.map((o) => o.row.id), refused.map((o) => o.failure.error), delays]);
    for (const [index, { row, failure }] of refused.entries()) {
      this.logger.warn(
        `message ${row.message.id} (${row.message.type} to ${row.exchange}) refused, attempt ${row.attempts + 1} ` +
          `(${failure.reason}${failure.kind === 'suspect' ? ', maybe another message' : ''}): ${failure.error}; ` +
          `next attempt in ${delays[index]} ms`,
      );
    }
  }

  private report(outcomes: readonly RowOutcome[]): void {
    let published = 0;
    const failures = new Map<PublishFailureReason, number>();
    for (const outcome of outcomes) {
      if (outcome.status === 'sent') {
        published++;
        const latencyMs = this.clock.toDatabaseTime(outcome.confirmedAt) - outcome.row.createdMs;
        this.metrics.commitToConfirm?.(Math.max(0, latencyMs) / 1000);
      } else if (outcome.status === 'failed') {
        failures.set(outcome.failure.reason, (failures.get(outcome.failure.reason) ?? 0) + 1);
      }
    }
    if (published > 0) this.metrics.published?.(published);
    for (const [reason, count] of failures) this.metrics.publishFailed?.(reason, count);
  }

  /** Waits `ms`, or less if the relay stops meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pauses.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pauses.add(done);
    });
  }

  private troubled(problem: string): void {
    if (this.trouble !== problem) this.logger.warn(problem);
    this.trouble = problem;
  }

  private recovered(): void {
    if (this.trouble === undefined) return;
    this.logger.log(`publishing again (after: ${this.trouble})`);
    this.trouble = undefined;
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'stopped';
      await this.pool.end();
      return;
    }
    this.state = 'stopping';
    this.wake.notifyAll();
    for (const cancel of [...this.pauses]) cancel();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(this.workers).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.settings.shutdownTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.logger.warn(
        `batches still in flight after ${this.settings.shutdownTimeoutMs} ms: their rows stay unsent and are published again by the next relay`,
      );
    }
    await Promise.all([this.listener.stop(), this.housekeeping.stop()]);
    // With a batch still stuck, its connection is dropped when the process exits (or PostgreSQL's
    // claimTimeoutMs ends it): do not wait for it here.
    const ended = this.pool.end();
    if (finished) await ended;
    else void ended.catch(() => undefined);
    this.state = 'stopped';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
