import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AuthorisePayment,
  CapturePayment,
  type Message,
  type MessageOf,
  PaymentAuthorised,
  PaymentCaptured,
  PaymentDeclined,
  PaymentVoided,
  Services,
  VoidPayment,
} from '@orderly/contracts';
import { Handles } from '@orderly/messaging';
import { Idempotent, OutboxWriter, Transaction } from '@orderly/outbox';
import type { Prisma } from '@orderly/payment-db';
import { PaymentLedger } from './payment-ledger';

/** CloudEvents `source` of everything payment-service publishes. */
export const PaymentSource = `/orderly/${Services.payment}`;

/**
 * payment-service's commands (queue `payment-service.commands`). Each runs in the inbox's transaction
 * (`@Idempotent`: a redelivered message changes nothing) and answers through the outbox in that same
 * transaction, so the reply is published if and only if the payment row changed.
 */
@Controller()
export class PaymentCommandsHandler {
  constructor(
    private readonly ledger: PaymentLedger,
    private readonly outbox: OutboxWriter,
  ) {}

  @Handles(AuthorisePayment)
  @Idempotent({ consumer: 'payment-service.authorise-payment' })
  async authorise(@Payload() command: MessageOf<typeof AuthorisePayment>, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    const { orderId } = command.data;
    const outcome = await this.ledger.authorise(tx, command.data);
    switch (outcome.kind) {
      case 'authorised': {
        const data = { orderId, authorisationId: outcome.authorisationId, amount: outcome.amount };
        return this.outbox.add(tx, PaymentAuthorised, PaymentAuthorised.create(data, replyTo(command)));
      }
      case 'declined':
        return this.outbox.add(tx, PaymentDeclined, PaymentDeclined.create({ orderId, reason: outcome.reason }, replyTo(command)));
      case 'silent':
        // Acknowledged (the inbox records it) without a reply: the orchestrator's deadline takes over.
        return;
    }
  }

  @Handles(VoidPayment)
  @Idempotent({ consumer: 'payment-service.void-payment' })
  async void(@Payload() command: MessageOf<typeof VoidPayment>, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    const { orderId } = command.data;
    await this.ledger.void(tx, orderId);
    await this.outbox.add(tx, PaymentVoided, PaymentVoided.create({ orderId }, replyTo(command)));
  }

  @Handles(CapturePayment)
  @Idempotent({ consumer: 'payment-service.capture-payment' })
  async capture(@Payload() command: MessageOf<typeof CapturePayment>, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    const { orderId } = command.data;
    const { captureId, amount } = await this.ledger.capture(tx, orderId);
    await this.outbox.add(tx, PaymentCaptured, PaymentCaptured.create({ orderId, captureId, amount }, replyTo(command)));
  }
}

/**
 * Envelope of a reply: same business transaction as the command (`correlationId`), caused by it
 * (`causationId` = its id, which the orchestrator matches replies on), about the order (`subject`).
 */
function replyTo(command: Message<{ orderId: string }>) {
  return { source: PaymentSource, subject: command.data.orderId, correlationId: command.correlationId, causationId: command.id };
}
