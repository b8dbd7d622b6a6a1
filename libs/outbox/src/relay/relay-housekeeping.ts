import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { OutboxSettings } from '../outbox-defaults';
import type { OutboxMetrics } from '../outbox-metrics';
import { BACKLOG_SQL, CLOCK_SQL, DELETE_INBOX_SQL, DELETE_SENT_SQL } from '../outbox-sql';
import { DatabaseClock } from './database-clock';

type HousekeepingSettings = Pick<
  OutboxSettings,
  'backlogIntervalMs' | 'cleanupIntervalMs' | 'cleanupBatchSize' | 'cleanupMaxBatches' | 'sentRetentionMs' | 'inboxRetentionMs'
>;

/**
 * The relay's periodic chores, each on its own timer and on the relay's pool:
 * - every `backlogIntervalMs`: report the backlog (unsent rows, age of the oldest) and read the
 *   database clock (see DatabaseClock);
 * - every `cleanupIntervalMs`: delete sent rows past `sentRetentionMs` and inbox rows past
 *   `inboxRetentionMs`, at most `cleanupMaxBatches` statements of `cleanupBatchSize` rows each, so one
 *   run never holds many locks or runs long. Several relays may clean at once (SKIP LOCKED).
 */
export class RelayHousekeeping {
  private readonly logger: Logger;
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly settings: HousekeepingSettings,
    private readonly clock: DatabaseClock,
    private readonly metrics: OutboxMetrics,
    name: string,
  ) {
    this.logger = new Logger(`OutboxRelay(${name})`);
  }

  start(): void {
    this.stopped = false;
    this.every(this.settings.backlogIntervalMs, () => this.reportBacklog(), true);
    this.every(this.settings.cleanupIntervalMs, () => this.cleanUp().then(() => undefined), false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    await Promise.allSettled([...this.running]);
  }

  /** Reads the backlog and the database clock; reports the backlog to the metrics hook. */
  async reportBacklog(): Promise<{ messages: number; oldestAgeSeconds: number }> {
    const sentAt = DatabaseClock.localNow();
    const clock = await this.pool.query<{ now_ms: number }>(CLOCK_SQL);
    this.clock.record(sentAt, DatabaseClock.localNow(), clock.rows[0].now_ms);
    const { rows } = await this.pool.query<{ messages: number; oldest_age_s: number | null }>(BACKLOG_SQL);
    const backlog = { messages: rows[0].messages, oldestAgeSeconds: Math.max(0, rows[0].oldest_age_s ?? 0) };
    this.metrics.backlog?.(backlog.messages, backlog.oldestAgeSeconds);
    return backlog;
  }

  /** One bounded cleanup run; returns the rows deleted from each table. */
  async cleanUp(): Promise<{ outbox: number; inbox: number }> {
    const outbox = await this.deleteInBatches(DELETE_SENT_SQL, this.settings.sentRetentionMs);
    const inbox = await this.deleteInBatches(DELETE_INBOX_SQL, this.settings.inboxRetentionMs);
    if (outbox + inbox > 0) this.logger.log(`deleted ${outbox} sent outbox rows and ${inbox} inbox rows past their retention`);
    return { outbox, inbox };
  }

  private async deleteInBatches(sql: string, retentionMs: number): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < this.settings.cleanupMaxBatches && !this.stopped; batch++) {
      const { rowCount } = await this.pool.query(sql, [retentionMs, this.settings.cleanupBatchSize]);
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < this.settings.cleanupBatchSize) break;
    }
    return total;
  }

  private every(intervalMs: number, chore: () => Promise<unknown>, now: boolean): void {
    const slot = this.timers.length;
    const run = () => {
      if (this.stopped) return;
      const done = chore()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn(`housekeeping failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          this.running.delete(done);
          if (!this.stopped) this.timers[slot] = setTimeout(run, intervalMs).unref();
        });
      this.running.add(done);
    };
    this.timers.push(setTimeout(run, now ? 0 : intervalMs).unref());
  }
}
