import { NonRetryableMessageError } from '@orderly/messaging';

/**
 * A payment command that contradicts what the order's payment records (a void after the capture, a
 * capture of nothing authorised). Redelivering it cannot help: it is parked in the queue's DLQ with
 * `code`, for an operator (a captured payment needs a refund, which is a person's decision), and no
 * reply is sent (every reply would state something false).
 */
export class PaymentCommandRefusedError extends NonRetryableMessageError {
  constructor(
    override readonly code: 'PAYMENT.VOID_AFTER_CAPTURE' | 'PAYMENT.NOTHING_TO_CAPTURE' | 'PAYMENT.AMOUNT_OUT_OF_RANGE',
    message: string,
  ) {
    super(message);
  }
}
