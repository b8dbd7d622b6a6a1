import { z } from 'zod';
import { defineCommand } from '../envelope/message-contract';
import { OrderId, OrderLine } from '../shared-schemas';
import { Exchanges } from '../topology/names';

/** Hold stock for every line of an order, all or nothing. Idempotent per order. */
export const ReserveStock = defineCommand({
  type: 'inventory.reserve-stock',
  version: 1,
  exchange: Exchanges.inventoryCommands,
  schema: z.object({ orderId: OrderId, lines: z.array(OrderLine).min(1) }),
});

/** Compensation of ReserveStock: give the held stock back. Idempotent; a no-op when nothing is held. */
export const ReleaseStock = defineCommand({
  type: 'inventory.release-stock',
  version: 1,
  exchange: Exchanges.inventoryCommands,
  schema: z.object({ orderId: OrderId, reason: z.string().max(200) }),
});

/** Turn the reservation into a sale once the order is confirmed. Idempotent. */
export const CommitStock = defineCommand({
  type: 'inventory.commit-stock',
  version: 1,
  exchange: Exchanges.inventoryCommands,
  schema: z.object({ orderId: OrderId }),
});
