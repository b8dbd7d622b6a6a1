import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  type Message,
  PaymentAuthorised,
  PaymentCaptured,
  PaymentDeclined,
  PaymentVoided,
  StockCommitted,
  StockReleased,
  StockReserved,
  StockUnavailable,
} from '@orderly/contracts';
import { Handles } from '@orderly/messaging';
import { Idempotent, Transaction } from '@orderly/outbox';
import { SagaRuntime, type SagaTransaction } from '@orderly/saga';

/**
 * Every reply on order-service.saga-replies goes to the saga runtime, in the inbox's transaction: the
 * saga's new state, its next command and the inbox record commit together, so a redelivered reply
 * changes nothing. One method per contract because @Handles names one; each does the same.
 */
@Controller()
export class SagaRepliesHandler {
  constructor(private readonly sagas: SagaRuntime) {}

  @Handles(StockReserved)
  @Idempotent()
  async stockReserved(@Payload() reply: Message, @Transaction() tx: SagaTransaction): Promise<void> {
    await this.sagas.handleReply(tx, reply);
  }

  @Handles(StockUnavailable)
  @Idempotent()
  async stockUnavailable(@Payload() reply: Message, @Transaction() tx: SagaTransaction): Promise<void> {
    await this.sagas.handleReply(tx, reply);
  }

  @Handles(StockReleased)
  @Idempotent()
  async stockReleased(@Payload() reply: Message, @Transaction() tx: SagaTransaction): Promise<void> {
    await this.sagas.handleReply(tx, reply);
  }

  @Handles(StockCommitted)
  @Idempotent()
  async stockCommitted(@Payload() reply: Message, @Transaction() tx: SagaTransaction): Promise<void> {
    await this.sagas.handleReply(tx, reply);
  }

  @Handles(PaymentAuthorised)
  @Idempotent()
  async paymentAuthorised(@Payload() reply: Message, @Transaction() tx: SagaTransaction): Promise<void> {
    await this.sagas.handleReply(tx, reply);
  }

  @Handles(PaymentDeclined)
  @Idempotent()
  async paymentDeclined(@Payload() reply: Message, @Transaction() tx: SagaTransaction): Promise<void> {
    await this.sagas.handleReply(tx, reply);
  }

  @Handles(PaymentVoided)
  @Idempotent()
  async paymentVoided(@Payload() reply: Message, @Transaction() tx: SagaTransaction): Promise<void> {
    await this.sagas.handleReply(tx, reply);
  }

  @Handles(PaymentCaptured)
  @Idempotent()
  async paymentCaptured(@Payload() reply: Message, @Transaction() tx: SagaTransaction): Promise<void> {
    await this.sagas.handleReply(tx, reply);
  }
}
