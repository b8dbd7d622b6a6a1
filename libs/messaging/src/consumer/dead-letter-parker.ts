import { deadLetterExchangeOf } from '@orderly/contracts';
import type { ConsumeMessage, MessagePropertyHeaders, Options } from 'amqplib';
import type { ConfirmedPublisher } from '../publisher/confirmed-publisher';
import { type HandlingFailure, truncateUtf8 } from './handling-failure';

/** The headers a dead letter carries, so an operator can tell what failed, where and why. */
export const DeadLetterHeaders = {
  errorType: 'x-orderly-error-type',
  errorCode: 'x-orderly-error-code',
  errorMessage: 'x-orderly-error-message',
  retryable: 'x-orderly-retryable',
  consumer: 'x-orderly-consumer',
  originalExchange: 'x-orderly-original-exchange',
  originalRoutingKey: 'x-orderly-original-routing-key',
  originalExpiration: 'x-orderly-original-expiration',
  /** When the last attempt failed (ISO 8601). */
  failedAt: 'x-orderly-failed-at',
  /** How many times the message was handled and failed (1 on the first failure); a replay removes it. */
  attempts: 'x-orderly-attempts',
  /** When the first attempt failed (ISO 8601), kept across the retry ladder. */
  firstFailedAt: 'x-orderly-first-failed-at',
} as const;

export interface DeadLetter {
  content: Buffer;
  properties: Options.Publish;
  exchange: string;
  routingKey: string;
}

/**
 * Builds the copy of a failed delivery that goes to `<queue>.dlq`: the original body and properties,
 * plus the reason. Routed through the owning service's dead-letter exchange with routing key = the work
 * queue's name, exactly where the broker's own dead-lettering (the queue's `x-dead-letter-*` arguments)
 * would put it, so both paths land in the same parking lot.
 */
export function deadLetterOf(
  delivery: Pick<ConsumeMessage, 'content' | 'fields' | 'properties'>,
  failure: HandlingFailure,
  where: { service: string; queue: string; failedAt: Date; maxErrorBytes: number },
): DeadLetter {
  const { properties, fields } = delivery;
  const headers: MessagePropertyHeaders = {
    ...(properties.headers ?? {}),
    [DeadLetterHeaders.errorType]: failure.type,
    [DeadLetterHeaders.errorMessage]: truncateUtf8(failure.message, where.maxErrorBytes),
    [DeadLetterHeaders.retryable]: failure.retryable,
    [DeadLetterHeaders.consumer]: where.service,
    [DeadLetterHeaders.originalExchange]: fields.exchange,
    [DeadLetterHeaders.originalRoutingKey]: fields.routingKey,
    [DeadLetterHeaders.failedAt]: where.failedAt.toISOString(),
  };
  if (failure.code) headers[DeadLetterHeaders.errorCode] = failure.code;
  // Like the broker's own dead-lettering, drop the per-message TTL so the dead letter cannot expire in
  // the parking lot, and keep the original value for a replay.
  if (properties.expiration !== undefined) headers[DeadLetterHeaders.originalExpiration] = String(properties.expiration);

  return {
    content: delivery.content,
    exchange: deadLetterExchangeOf(where.service),
    routingKey: where.queue,
    properties: {
      contentType: properties.contentType,
      contentEncoding: properties.contentEncoding,
      correlationId: properties.correlationId,
      replyTo: properties.replyTo,
      messageId: properties.messageId,
      timestamp: properties.timestamp,
      type: properties.type,
      userId: undefined, // validated by the broker against the publishing user: it would refuse ours
      appId: properties.appId,
      priority: properties.priority,
      // A parked message must survive a broker restart, whatever the original said.
      persistent: true,
      headers,
    },
  };
}

/**
 * Parks a failed delivery in its queue's DLQ with the reason, on a confirm channel. The caller acks the
 * original only after `park` resolved; if it rejects, the caller rejects the delivery without requeue
 * and the queue's own dead-letter arguments (at-least-once) move it to the same DLQ, without the reason.
 *
 * At this stage every failure is parked at once; the retry issue turns this into a ladder (delay queues
 * for retryable failures, the DLQ after the last attempt).
 */
export class DeadLetterParker {
  constructor(
    private readonly publisher: ConfirmedPublisher,
    private readonly service: string,
    private readonly maxErrorBytes: number,
  ) {}

  async park(delivery: ConsumeMessage, queue: string, failure: HandlingFailure): Promise<void> {
    const letter = deadLetterOf(delivery, failure, {
      service: this.service,
      queue,
      failedAt: new Date(),
      maxErrorBytes: this.maxErrorBytes,
    });
    // Mandatory: a missing DLQ must fail the park (and fall back to the broker), not drop the message.
    await this.publisher.publishRaw(letter.content, letter.properties, {
      exchange: letter.exchange,
      routingKey: letter.routingKey,
      mandatory: true,
    });
  }
}
