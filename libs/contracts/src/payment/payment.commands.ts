import { z } from 'zod';
import { defineCommand } from '../envelope/message-contract';
import { Money, OrderId } from '../shared-schemas';
import { Exchanges } from '../topology/names';

/** Ask the gateway to hold the order's amount on the customer's card. Idempotent per order. */
export const AuthorisePayment = defineCommand({
  type: 'payment.authorise',
  version: 1,
  exchange: Exchanges.paymentCommands,
  schema: z.object({ orderId: OrderId, customerId: z.string().min(1).max(64), amount: Money }),
});

/** Compensation of AuthorisePayment: release the hold. Idempotent; a no-op without an authorisation. */
export const VoidPayment = defineCommand({
  type: 'payment.void',
  version: 1,
  exchange: Exchanges.paymentCommands,
  schema: z.object({ orderId: OrderId, reason: z.string().max(200) }),
});

/** Take the authorised amount once the order is confirmed. Idempotent: captures at most once. */
export const CapturePayment = defineCommand({
  type: 'payment.capture',
  version: 1,
  exchange: Exchanges.paymentCommands,
  schema: z.object({ orderId: OrderId }),
});
