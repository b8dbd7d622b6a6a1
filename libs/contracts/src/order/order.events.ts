import { z } from 'zod';
import { defineEvent } from '../envelope/message-contract';
import { Money, OrderId, OrderLine } from '../shared-schemas';
import { Exchanges } from '../topology/names';

export const OrderPlaced = defineEvent({
  type: 'order.placed',
  version: 1,
  exchange: Exchanges.orderEvents,
  schema: z.object({ orderId: OrderId, customerId: z.string(), lines: z.array(OrderLine), total: Money }),
});

export const OrderConfirmed = defineEvent({
  type: 'order.confirmed',
  version: 1,
  exchange: Exchanges.orderEvents,
  schema: z.object({ orderId: OrderId, customerId: z.string(), total: Money }),
});

export const OrderRejected = defineEvent({
  type: 'order.rejected',
  version: 1,
  exchange: Exchanges.orderEvents,
  schema: z.object({ orderId: OrderId, customerId: z.string(), reason: z.string().max(200) }),
});

export const OrderCancelled = defineEvent({
  type: 'order.cancelled',
  version: 1,
  exchange: Exchanges.orderEvents,
  schema: z.object({ orderId: OrderId, customerId: z.string(), reason: z.string().max(200) }),
});
