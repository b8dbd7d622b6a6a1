import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { type Message, type MessageOf, NotificationSent, OrderCancelled, OrderConfirmed, OrderRejected, Services } from '@orderly/contracts';
import { Handles } from '@orderly/messaging';
import type { Prisma } from '@orderly/notification-db';
import { Idempotent, OutboxWriter, Transaction } from '@orderly/outbox';
import type { OrderOutcome } from './notification-templates';
import { Notifier } from './notifier';

/** CloudEvents `source` of everything notification-service publishes. */
export const NotificationSource = `/orderly/${Services.notification}`;

/**
 * Order outcomes (queue `notification-service.order-events`, bound to order.events): each tells the
 * customer once and publishes NotificationSent through the outbox, in the inbox's transaction.
 */
@Controller()
export class OrderOutcomesHandler {
  constructor(
    private readonly notifier: Notifier,
    private readonly outbox: OutboxWriter,
  ) {}

  @Handles(OrderConfirmed)
  @Idempotent({ consumer: 'notification-service.order-confirmed' })
  async confirmed(@Payload() event: MessageOf<typeof OrderConfirmed>, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    const { orderId, customerId, total } = event.data;
    await this.tell(tx, event, { orderId, customerId, total, template: 'order-confirmed' });
  }

  @Handles(OrderRejected)
  @Idempotent({ consumer: 'notification-service.order-rejected' })
  async rejected(@Payload() event: MessageOf<typeof OrderRejected>, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    const { orderId, customerId, reason } = event.data;
    await this.tell(tx, event, { orderId, customerId, reason, template: 'order-rejected' });
  }

  @Handles(OrderCancelled)
  @Idempotent({ consumer: 'notification-service.order-cancelled' })
  async cancelled(@Payload() event: MessageOf<typeof OrderCancelled>, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    const { orderId, customerId, reason } = event.data;
    await this.tell(tx, event, { orderId, customerId, reason, template: 'order-cancelled' });
  }

  private async tell(tx: Prisma.TransactionClient, event: Message, outcome: OrderOutcome): Promise<void> {
    const result = await this.notifier.notify(tx, outcome);
    if (!result.sent) return;
    const sent = NotificationSent.create(
      {
        notificationId: result.notificationId,
        orderId: outcome.orderId,
        customerId: outcome.customerId,
        channel: result.channel,
        template: outcome.template,
      },
      { source: NotificationSource, subject: outcome.orderId, correlationId: event.correlationId, causationId: event.id },
    );
    await this.outbox.add(tx, NotificationSent, sent);
  }
}
