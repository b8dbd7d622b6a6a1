import { OrderlyError } from './orderly-error';

/**
 * The message can never be handled, however often it is redelivered: it goes straight to the dead-letter
 * queue with `reason`. Throw it from a handler for a business-level impossibility (unknown order, a
 * command that contradicts the state); any other error is retried.
 */
export class NonRetryableMessageError extends OrderlyError {
  readonly code: string = 'MESSAGING.NON_RETRYABLE';
}

/** The delivery is not a valid Orderly message: missing CloudEvents attributes, bad JSON, unknown type. */
export class InvalidMessageError extends NonRetryableMessageError {
  override readonly code = 'MESSAGING.INVALID_MESSAGE';

  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
