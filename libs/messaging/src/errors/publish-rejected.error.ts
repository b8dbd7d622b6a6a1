import { OrderlyError } from './orderly-error';

export type PublishRejectionReason = 'nacked' | 'returned' | 'timeout' | 'closed' | 'buffer-full' | 'channel-error';

/**
 * The broker did not take responsibility for a message. The caller still owns it (the outbox keeps the
 * row and publishes it again); nothing has been silently dropped.
 */
export class PublishRejectedError extends OrderlyError {
  readonly code = 'MESSAGING.PUBLISH_REJECTED';

  constructor(
    readonly messageId: string,
    readonly exchange: string,
    readonly routingKey: string,
    readonly reason: PublishRejectionReason,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(`Broker ${reason} message ${messageId} for ${exchange}/${routingKey}${detail ? `: ${detail}` : ''}`, options);
  }
}
