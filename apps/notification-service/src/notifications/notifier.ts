import { Inject, Injectable } from '@nestjs/common';
import type { Prisma } from '@orderly/notification-db';
import { NOTIFICATION_CHANNEL, type NotificationChannel } from '../channels/notification-channel';
import { notificationIdOf } from './notification-id';
import { type OrderOutcome, renderNotification } from './notification-templates';

/** What `notify` did: told the customer now, or found they had been told about this outcome before. */
export type NotifyResult = { sent: true; notificationId: string; channel: NotificationChannel['name'] } | { sent: false };

/**
 * Tells a customer about an order outcome at most once per (order, outcome), inside the caller's
 * transaction (the inbox's):
 *
 * 1. insert the `notification` row, `ON CONFLICT (order_id, template) DO NOTHING`: an outcome already
 *    recorded (a duplicate event with another message id, a replay from the DLQ) ends here; a
 *    concurrent duplicate waits on the unique index until the first commits, then ends here;
 * 2. send through the channel while the row is held; a failed send throws and rolls the row back, so
 *    the retried event sends again.
 *
 * A crash after the channel accepted the message and before the commit sends it again on redelivery:
 * a channel outside the database cannot join its transaction. The notification id (and e-mail
 * Message-ID) is the same both times, so a mail server or inbox can drop the copy.
 */
@Injectable()
export class Notifier {
  constructor(@Inject(NOTIFICATION_CHANNEL) private readonly channel: NotificationChannel) {}

  async notify(tx: Prisma.TransactionClient, outcome: OrderOutcome): Promise<NotifyResult> {
    const notificationId = notificationIdOf(outcome.orderId, outcome.template);
    const inserted = await tx.$executeRaw`
      INSERT INTO notification (id, order_id, customer_id, template, channel)
      VALUES (${notificationId}::uuid, ${outcome.orderId}::uuid, ${outcome.customerId}, ${outcome.template}, ${this.channel.name})
      ON CONFLICT (order_id, template) DO NOTHING`;
    if (inserted === 0) return { sent: false };
    await this.channel.send({ notificationId, orderId: outcome.orderId, customerId: outcome.customerId, ...renderNotification(outcome) });
    return { sent: true, notificationId, channel: this.channel.name };
  }
}
