import { NonRetryableMessageError } from '@orderly/messaging';

/**
 * A stock command that contradicts what the order's reservation records (a release after the sale, a
 * commit of nothing held). Redelivering it cannot help: it is parked in the queue's DLQ with `code`,
 * for an operator, and no reply is sent (every reply would state something false).
 */
export class StockCommandRefusedError extends NonRetryableMessageError {
  constructor(
    override readonly code: 'INVENTORY.RELEASE_AFTER_COMMIT' | 'INVENTORY.NOTHING_TO_COMMIT',
    message: string,
  ) {
    super(message);
  }
}
