import { Inject, Injectable, Optional } from '@nestjs/common';
import type { MessageContract, MessageOf } from '@orderly/contracts';
import type { OutboxTransaction } from './database-client';
import { OutboxWriteError } from './errors/outbox-write.error';
import { OUTBOX_HOOKS, type OutboxHooks } from './outbox-hooks';
import { OUTBOX_OPTIONS, type ResolvedOutboxOptions } from './outbox-options';
import { outboxTelemetryHooks } from './outbox-telemetry';
import { INSERT_COLUMN_COUNT, insertStatement } from './outbox-sql';

/** Messages per INSERT statement: 14 parameters each stays far below PostgreSQL's 65,535. */
const ROWS_PER_STATEMENT = 500;

/** Column widths of the outbox table (outbox.prisma): a longer value is refused with its message id. */
const LIMITS = {
  id: 200,
  type: 200,
  subject: 200,
  exchange: 255,
  source: 255,
  correlationId: 200,
  causationId: 200,
  traceparent: 128,
  tracestate: 512,
} as const;

/**
 * Adds outgoing messages to the outbox inside the caller's transaction, so they are published if and
 * only if the state change they describe commits:
 *
 * ```ts
 * await db.$transaction(async (tx) => {
 *   const order = await tx.order.update({ where: { id }, data: { status: 'CONFIRMED' } });
 *   await outbox.add(tx, OrderConfirmed, OrderConfirmed.create(data, { source, subject: order.id }));
 * });
 * ```
 *
 * The row keeps the message as created (CloudEvents attributes, data, the exchange and routing key of
 * its contract, `mandatory` for commands and replies) and the trace context current now; the relay
 * publishes exactly that after the commit. Messages with the same `subject` (the aggregate) are
 * published in the order they were added.
 */
@Injectable()
export class OutboxWriter {
  private readonly notify: boolean;

  constructor(
    @Inject(OUTBOX_OPTIONS) options: Pick<ResolvedOutboxOptions, 'notify'>,
    // Without an OUTBOX_HOOKS provider, rows store the trace context of the writing transaction.
    @Optional() @Inject(OUTBOX_HOOKS) private readonly hooks: OutboxHooks = outboxTelemetryHooks(),
  ) {
    this.notify = options.notify;
  }

  /** Adds one or more messages of `contract`; they are published after `tx` commits, never if it rolls back. */
  async add<C extends MessageContract>(
    tx: OutboxTransaction,
    contract: C,
    messages: MessageOf<C> | readonly MessageOf<C>[],
  ): Promise<void> {
    const list: readonly MessageOf<C>[] = Array.isArray(messages) ? messages : [messages as MessageOf<C>];
    if (list.length === 0) return;
    const rows = list.map((message) => this.rowOf(contract, message));
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
      // One notification per transaction is enough; PostgreSQL folds repeated ones anyway.
      const notify = this.notify && start === 0;
      await tx.$executeRawUnsafe(insertStatement(chunk.length, notify), ...chunk.flat());
    }
  }

  private rowOf(contract: MessageContract, message: MessageOf<MessageContract>): unknown[] {
    const refuse = (reason: string) => new OutboxWriteError(message.id, message.type, reason);
    if (message.type !== contract.type) throw refuse(`it is not a ${contract.type}`);
    if (!(message.time instanceof Date) || Number.isNaN(message.time.getTime())) throw refuse('its time is not a valid date');
    const trace = message.traceparent ? message : (this.hooks.currentTraceContext?.() ?? {});
    const row = {
      id: message.id,
      type: message.type,
      subject: message.subject ?? null,
      exchange: contract.exchange,
      source: message.source,
      correlationId: message.correlationId,
      causationId: message.causationId ?? null,
      traceparent: trace.traceparent ?? null,
      tracestate: trace.tracestate ?? null,
    };
    for (const [field, limit] of Object.entries(LIMITS)) {
      const value = row[field as keyof typeof LIMITS];
      if (value !== null && value.length > limit) throw refuse(`its ${field} is longer than ${limit} characters`);
    }
    const values = [
      row.id,
      row.type,
      row.subject,
      row.exchange,
      // AmqpClient publishes a contract's messages with routing key = type.
      contract.type,
      contract.kind !== 'event',
      message.version,
      row.source,
      message.time.toISOString(),
      row.correlationId,
      row.causationId,
      row.traceparent,
      row.tracestate,
      JSON.stringify(message.data) ?? 'null',
    ];
    if (values.length !== INSERT_COLUMN_COUNT) throw new Error('outbox: insert columns and values disagree');
    return values;
  }
}
