import { z } from 'zod';
import { defineReply } from '../envelope/message-contract';
import { OrderId } from '../shared-schemas';
import { Exchanges } from '../topology/names';

// Replies travel to the orchestrator's reply exchange (order.replies), routing key = type.

export const StockReserved = defineReply({
  type: 'inventory.stock-reserved',
  version: 1,
  exchange: Exchanges.orderReplies,
  schema: z.object({ orderId: OrderId, reservationId: z.uuid() }),
});

export const StockUnavailable = defineReply({
  type: 'inventory.stock-unavailable',
  version: 1,
  exchange: Exchanges.orderReplies,
  schema: z.object({
    orderId: OrderId,
    missing: z.array(z.object({ sku: z.string(), requested: z.number().int(), available: z.number().int() })),
  }),
});

export const StockReleased = defineReply({
  type: 'inventory.stock-released',
  version: 1,
  exchange: Exchanges.orderReplies,
  schema: z.object({ orderId: OrderId }),
});

export const StockCommitted = defineReply({
  type: 'inventory.stock-committed',
  version: 1,
  exchange: Exchanges.orderReplies,
  schema: z.object({ orderId: OrderId }),
});
