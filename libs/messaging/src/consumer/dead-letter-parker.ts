import { deadLetterExchangeOf, retryExchangeOf } from '@orderly/contracts';
import type { ConsumeMessage, MessagePropertyHeaders, Options } from 'amqplib';
import { type HandlingFailure, truncateUtf8 } from './handling-failure';

/** The headers a failed message carries (in a delay tier and in the DLQ): what failed, where, why, how often. */
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

/** A copy of a failed delivery, ready to publish to a delay tier or to the DLQ. */
export interface DeadLetter {
  content: Buffer;
  properties: Options.Publish;
  exchange: string;
  routingKey: string;
}

export interface FailureContext {
  /** The consuming service (its dead-letter and retry exchanges). */
  service: string;
  /** The work queue the delivery came from. */
  queue: string;
  failedAt: Date;
  maxErrorBytes: number;
}

type Delivery = Pick<ConsumeMessage, 'content' | 'fields' | 'properties'>;

/**
 * Whether this delivery is a retry coming back from one of the service's delay tiers. Only then are the
 * failure headers it carries ours to continue: a message published (or replayed by an operator) to its
 * original exchange starts again at attempt 1, whatever headers it holds.
 */
function cameFromRetryTier(delivery: Delivery, service: string): boolean {
  return delivery.fields.exchange === retryExchangeOf(service);
}

/** The number of the attempt that just failed: 1, or one more than the tier it came back from recorded. */
export function attemptOf(delivery: Delivery, service: string): number {
  if (!cameFromRetryTier(delivery, service)) return 1;
  const recorded = Number(delivery.properties.headers?.[DeadLetterHeaders.attempts]);
  return Number.isInteger(recorded) && recorded >= 1 ? recorded + 1 : 1;
}

/**
 * The headers of a failed delivery's copy: the original ones, plus the reason and the history.
 * The original exchange and routing key are those of the first publish: a delivery coming back from a
 * delay tier arrives through the retry exchange, so they are taken from the headers the first failure set.
 */
export function failureHeaders(delivery: Delivery, failure: HandlingFailure, where: FailureContext): MessagePropertyHeaders {
  const { properties, fields } = delivery;
  const previous = (properties.headers ?? {}) as MessagePropertyHeaders;
  const retried = cameFromRetryTier(delivery, where.service);
  const failedAt = where.failedAt.toISOString();
  const headers: MessagePropertyHeaders = {
    ...previous,
    [DeadLetterHeaders.errorType]: failure.type,
    [DeadLetterHeaders.errorMessage]: truncateUtf8(failure.message, where.maxErrorBytes),
    [DeadLetterHeaders.retryable]: failure.retryable,
    [DeadLetterHeaders.consumer]: where.service,
    [DeadLetterHeaders.originalExchange]: retried ? (previous[DeadLetterHeaders.originalExchange] ?? fields.exchange) : fields.exchange,
    [DeadLetterHeaders.originalRoutingKey]: retried
      ? (previous[DeadLetterHeaders.originalRoutingKey] ?? fields.routingKey)
      : fields.routingKey,
    [DeadLetterHeaders.attempts]: attemptOf(delivery, where.service),
    [DeadLetterHeaders.firstFailedAt]: retried ? (previous[DeadLetterHeaders.firstFailedAt] ?? failedAt) : failedAt,
    [DeadLetterHeaders.failedAt]: failedAt,
  };
  // The code of an earlier attempt's error must not stick to this one.
  if (failure.code) headers[DeadLetterHeaders.errorCode] = failure.code;
  else delete headers[DeadLetterHeaders.errorCode];
  // Like the broker's own dead-lettering, drop the per-message TTL so the copy cannot expire in the
  // parking lot, and keep the original value for a replay. A retry's own TTL (the tier's jitter) is
  // removed by the broker when the tier dead-letters it: never record that one.
  if (!retried && properties.expiration !== undefined) {
    headers[DeadLetterHeaders.originalExpiration] = String(properties.expiration);
  }
  return headers;
}

function copyOf(delivery: Delivery, headers: MessagePropertyHeaders, expiration?: string): Options.Publish {
  const { properties } = delivery;
  return {
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
    // A failed message must survive a broker restart, whatever the original said.
    persistent: true,
    expiration,
    headers,
  };
}

/**
 * The copy of a failed delivery that goes to `<queue>.dlq`: the original body and properties, plus the
 * reason. Routed through the owning service's dead-letter exchange with routing key = the work queue's
 * name, exactly where the broker's own dead-lettering (the queue's `x-dead-letter-*` arguments) would
 * put it, so both paths land in the same parking lot.
 */
export function deadLetterOf(delivery: Delivery, failure: HandlingFailure, where: FailureContext): DeadLetter {
  return {
    content: delivery.content,
    exchange: deadLetterExchangeOf(where.service),
    routingKey: where.queue,
    properties: copyOf(delivery, failureHeaders(delivery, failure, where)),
  };
}

/**
 * The copy of a failed delivery that waits in a delay tier: published to the service's retry exchange
 * with routing key = the tier's queue, and an `expiration` of `delayMs` (at most the tier's TTL).
 */
export function retryLetterOf(
  delivery: Delivery,
  failure: HandlingFailure,
  where: FailureContext,
  tier: { queue: string; delayMs: number },
): DeadLetter {
  return {
    content: delivery.content,
    exchange: retryExchangeOf(where.service),
    routingKey: tier.queue,
    properties: copyOf(delivery, failureHeaders(delivery, failure, where), String(tier.delayMs)),
  };
}
