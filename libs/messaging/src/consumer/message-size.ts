import type { ConsumeMessage } from 'amqplib';
import { InvalidMessageError } from '../errors/non-retryable-message.error';

/**
 * Refuses a body above `maxBytes` before it is parsed: handling it again cannot make it smaller, so it
 * is not retryable (an `InvalidMessageError` goes straight to the DLQ, with the size in the reason).
 */
export function checkMessageSize(delivery: Pick<ConsumeMessage, 'content'>, maxBytes: number): void {
  const size = delivery.content.length;
  if (size > maxBytes) {
    throw new InvalidMessageError(`body of ${size} bytes exceeds the limit of ${maxBytes} bytes (maxMessageBytes)`, { size, maxBytes });
  }
}
