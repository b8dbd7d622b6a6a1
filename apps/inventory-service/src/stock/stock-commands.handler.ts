import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CommitStock,
  type MessageOf,
  ReleaseStock,
  ReserveStock,
  StockCommitted,
  StockReleased,
  StockReserved,
  StockUnavailable,
} from '@orderly/contracts';
import type { Prisma } from '@orderly/inventory-db';
import { Handles } from '@orderly/messaging';
import { Idempotent, OutboxWriter, Transaction } from '@orderly/outbox';
import { replyTo } from './reply-to';
import { StockLedger } from './stock-ledger';

/**
 * inventory-service's commands (queue `inventory-service.commands`). Each runs in the inbox's transaction
 * (`@Idempotent`: a redelivered message changes nothing) and answers through the outbox in that same
 * transaction, so the reply is published if and only if the stock moved.
 */
@Controller()
export class StockCommandsHandler {
  constructor(
    private readonly ledger: StockLedger,
    private readonly outbox: OutboxWriter,
  ) {}

  @Handles(ReserveStock)
  @Idempotent({ consumer: 'inventory-service.reserve-stock' })
  async reserve(@Payload() command: MessageOf<typeof ReserveStock>, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    const { orderId } = command.data;
    const outcome = await this.ledger.reserve(tx, command.data);
    if (outcome.kind === 'reserved') {
      await this.outbox.add(tx, StockReserved, StockReserved.create({ orderId, reservationId: outcome.reservationId }, replyTo(command)));
    } else {
      await this.outbox.add(tx, StockUnavailable, StockUnavailable.create({ orderId, missing: outcome.missing }, replyTo(command)));
    }
  }

  @Handles(ReleaseStock)
  @Idempotent({ consumer: 'inventory-service.release-stock' })
  async release(@Payload() command: MessageOf<typeof ReleaseStock>, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    const { orderId } = command.data;
    await this.ledger.release(tx, orderId);
    await this.outbox.add(tx, StockReleased, StockReleased.create({ orderId }, replyTo(command)));
  }

  @Handles(CommitStock)
  @Idempotent({ consumer: 'inventory-service.commit-stock' })
  async commit(@Payload() command: MessageOf<typeof CommitStock>, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    const { orderId } = command.data;
    await this.ledger.commit(tx, orderId);
    await this.outbox.add(tx, StockCommitted, StockCommitted.create({ orderId }, replyTo(command)));
  }
}
