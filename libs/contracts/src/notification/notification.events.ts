import { z } from 'zod';
import { defineEvent } from '../envelope/message-contract';
import { OrderId } from '../shared-schemas';
import { Exchanges } from '../topology/names';

/** A customer was told about an order outcome (published for audit and for tests that count notifications). */
export const NotificationSent = defineEvent({
  type: 'notification.sent',
  version: 1,
  exchange: Exchanges.notificationEvents,
  schema: z.object({
    notificationId: z.uuid(),
    orderId: OrderId,
    customerId: z.string(),
    channel: z.enum(['log', 'smtp']),
    template: z.enum(['order-confirmed', 'order-rejected', 'order-cancelled']),
  }),
});
