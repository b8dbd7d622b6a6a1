import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { outboxMetricsRecorder } from '@orderly/observability';
import type { OutboxTransaction } from '../database-client';
import { OUTBOX_METRICS, type OutboxMetrics } from '../outbox-metrics';
import { OUTBOX_OPTIONS, type ResolvedOutboxOptions } from '../outbox-options';
import { INBOX_INSERT_SQL } from '../outbox-sql';

/** What became of one delivery: handled now (with the handler's result), or recognised as handled before. */
export type InboxOutcome<T> = { duplicate: false; result: T } | { duplicate: true };

type InboxOptions = Pick<ResolvedOutboxOptions, 'database' | 'inboxTransactionTimeoutMs' | 'inboxTransactionMaxWaitMs'>;

/**
 * Effectively-once handling over at-least-once delivery. `handle` runs `effects` in one transaction
 * with the insert of (message id, consumer) into the `inbox` table:
 *
 * ```ts
 * const outcome = await inbox.handle(message, 'inventory-service.reserve-stock', async (tx) => {
 *   await tx.reservation.create({ … });                     // the effects …
 *   await outbox.add(tx, StockReserved, StockReserved.create(…)); // … and the messages they cause
 * });
 * ```
 *
 * The insert comes first: a second delivery of the same message finds the row (or waits for the
 * first delivery's transaction and then finds it) and runs nothing; if the first transaction rolled
 * back, the second runs the effects as if it were the first. Handlers usually get this through
 * `@Idempotent()` instead of calling it.
 */
@Injectable()
export class Inbox {
  private readonly logger = new Logger(Inbox.name);

  constructor(
    @Inject(OUTBOX_OPTIONS) private readonly options: InboxOptions,
    @Optional() @Inject(OUTBOX_METRICS) private readonly metrics: OutboxMetrics = outboxMetricsRecorder(),
  ) {}

  /**
   * `consumer` names the handler: keep it stable across deployments (a renamed consumer handles
   * redeliveries again). `Tx` is the service's transaction client type, e.g. `Prisma.TransactionClient`.
   */
  async handle<T, Tx = OutboxTransaction>(
    message: { id: string; type?: string },
    consumer: string,
    effects: (tx: Tx) => Promise<T>,
  ): Promise<InboxOutcome<T>> {
    const outcome = await this.options.database.$transaction(
      async (tx): Promise<InboxOutcome<T>> => {
        const inserted = await tx.$executeRawUnsafe(INBOX_INSERT_SQL, message.id, consumer);
        if (inserted === 0) return { duplicate: true };
        return { duplicate: false, result: await effects(tx as unknown as Tx) };
      },
      { timeout: this.options.inboxTransactionTimeoutMs, maxWait: this.options.inboxTransactionMaxWaitMs },
    );
    if (outcome.duplicate) {
      this.metrics.inboxDuplicate?.(consumer);
      this.logger.log(`message ${message.id}${message.type ? ` (${message.type})` : ''} was already handled by ${consumer}: skipped`);
    }
    return outcome;
  }
}
