import { z } from 'zod';
import { defineReply } from '../envelope/message-contract';
import { Money, OrderId } from '../shared-schemas';
import { Exchanges } from '../topology/names';

export const PaymentAuthorised = defineReply({
  type: 'payment.authorised',
  version: 1,
  exchange: Exchanges.orderReplies,
  schema: z.object({ orderId: OrderId, authorisationId: z.uuid(), amount: Money }),
});

export const PaymentDeclined = defineReply({
  type: 'payment.declined',
  version: 1,
  exchange: Exchanges.orderReplies,
  schema: z.object({ orderId: OrderId, reason: z.string().max(200) }),
});

export const PaymentVoided = defineReply({
  type: 'payment.voided',
  version: 1,
  exchange: Exchanges.orderReplies,
  schema: z.object({ orderId: OrderId }),
});

export const PaymentCaptured = defineReply({
  type: 'payment.captured',
  version: 1,
  exchange: Exchanges.orderReplies,
  schema: z.object({ orderId: OrderId, captureId: z.uuid(), amount: Money }),
});
