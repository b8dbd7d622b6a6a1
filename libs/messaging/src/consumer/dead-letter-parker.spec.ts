import type { ConsumeMessage } from 'amqplib';
import { classifyFailure, truncateUtf8 } from './handling-failure';
import { attemptOf, DeadLetterHeaders, deadLetterOf, retryLetterOf } from './dead-letter-parker';
import { InvalidMessageError, NonRetryableMessageError } from '../errors/non-retryable-message.error';

const delivery = {
  content: Buffer.from('{"orderId":"o-1"}'),
  fields: { exchange: 'inventory.commands', routingKey: 'inventory.reserve-stock', deliveryTag: 7, redelivered: false },
  properties: {
    messageId: 'm-1',
    type: 'inventory.reserve-stock',
    contentType: 'application/json',
    correlationId: 'order-1',
    timestamp: 1_700_000_000,
    expiration: '60000',
    userId: 'order-service',
    headers: { 'cloudEvents:type': 'inventory.reserve-stock', traceparent: '00-abc-def-01' },
  },
} as unknown as ConsumeMessage;

describe('dead letters', () => {
  it('keep the original body, properties and headers, and add the reason and where it came from', () => {
    const failedAt = new Date('2026-01-02T03:04:05.000Z');
    const letter = deadLetterOf(delivery, classifyFailure(new Error('database timeout')), {
      service: 'inventory-service',
      queue: 'inventory-service.commands',
      failedAt,
      maxErrorBytes: 1024,
    });
    expect(letter.exchange).toBe('inventory-service.dead-letter');
    expect(letter.routingKey).toBe('inventory-service.commands');
    expect(letter.content).toBe(delivery.content);
    expect(letter.properties).toMatchObject({ messageId: 'm-1', type: 'inventory.reserve-stock', correlationId: 'order-1', persistent: true });
    expect(letter.properties.headers).toEqual({
      'cloudEvents:type': 'inventory.reserve-stock',
      traceparent: '00-abc-def-01',
      [DeadLetterHeaders.errorType]: 'Error',
      [DeadLetterHeaders.errorMessage]: 'database timeout',
      [DeadLetterHeaders.retryable]: true,
      [DeadLetterHeaders.consumer]: 'inventory-service',
      [DeadLetterHeaders.originalExchange]: 'inventory.commands',
      [DeadLetterHeaders.originalRoutingKey]: 'inventory.reserve-stock',
      [DeadLetterHeaders.originalExpiration]: '60000',
      [DeadLetterHeaders.failedAt]: '2026-01-02T03:04:05.000Z',
      [DeadLetterHeaders.firstFailedAt]: '2026-01-02T03:04:05.000Z',
      [DeadLetterHeaders.attempts]: 1,
    });
  });

  it('drop the TTL (a parked message must not expire) and the user id (the broker checks it against the publisher)', () => {
    const letter = deadLetterOf(delivery, classifyFailure(new Error('x')), {
      service: 's',
      queue: 'q',
      failedAt: new Date(),
      maxErrorBytes: 1024,
    });
    expect(letter.properties.expiration).toBeUndefined();
    expect(letter.properties.userId).toBeUndefined();
  });
});

describe('failure classification', () => {
  it('treats invalid messages and NonRetryableMessageError as final, everything else as retryable', () => {
    expect(classifyFailure(new InvalidMessageError('unknown message type "x"'))).toEqual({
      retryable: false,
      type: 'InvalidMessageError',
      code: 'MESSAGING.INVALID_MESSAGE',
      message: 'unknown message type "x"',
    });
    expect(classifyFailure(new NonRetryableMessageError('order does not exist'))).toMatchObject({ retryable: false });
    expect(classifyFailure(new TypeError('undefined is not a function'))).toMatchObject({ retryable: true, type: 'TypeError' });
    expect(classifyFailure({ status: 'error', message: 'from an RpcException' })).toMatchObject({
      retryable: true,
      message: '{"status":"error","message":"from an RpcException"}',
    });
  });

  it('bounds the error message in bytes without splitting a character', () => {
    const long = 'é'.repeat(2000); // 2 bytes each
    const cut = truncateUtf8(long, 1024);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(1024);
    expect(cut.endsWith('… [truncated]')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
    expect(truncateUtf8('short', 1024)).toBe('short');
  });
});

describe('retries', () => {
  const where = (failedAt: string) => ({
    service: 'inventory-service',
    queue: 'inventory-service.commands',
    failedAt: new Date(failedAt),
    maxErrorBytes: 1024,
  });
  const tier = { queue: 'inventory-service.commands.retry.5s', delayMs: 4_321 };

  it('go to the delay tier through the service’s retry exchange, with the delay as the message’s TTL', () => {
    const letter = retryLetterOf(delivery, classifyFailure(new Error('lock timeout')), where('2026-01-02T03:04:05.000Z'), tier);
    expect(letter.exchange).toBe('inventory-service.retry');
    expect(letter.routingKey).toBe('inventory-service.commands.retry.5s');
    expect(letter.properties.expiration).toBe('4321');
    expect(letter.properties).toMatchObject({ messageId: 'm-1', persistent: true });
    expect(letter.properties.headers).toMatchObject({
      [DeadLetterHeaders.attempts]: 1,
      [DeadLetterHeaders.firstFailedAt]: '2026-01-02T03:04:05.000Z',
      [DeadLetterHeaders.originalExchange]: 'inventory.commands',
      [DeadLetterHeaders.originalRoutingKey]: 'inventory.reserve-stock',
      [DeadLetterHeaders.originalExpiration]: '60000',
    });
  });

  it('count attempts and keep the first failure and the original route across tiers; a new error replaces the old one', () => {
    const first = retryLetterOf(
      delivery,
      classifyFailure(new NonRetryableMessageError('with a code')),
      where('2026-01-02T03:04:05.000Z'),
      tier,
    );
    // What the broker delivers when the tier dead-letters it back: through the retry exchange, TTL gone.
    const back = {
      content: first.content,
      fields: { exchange: 'inventory-service.retry', routingKey: 'inventory-service.commands', deliveryTag: 9, redelivered: false },
      properties: { ...first.properties, expiration: undefined },
    } as unknown as ConsumeMessage;
    expect(attemptOf(back, 'inventory-service')).toBe(2);

    const second = deadLetterOf(back, classifyFailure(new TypeError('no code here')), where('2026-01-02T03:04:09.000Z'));
    expect(second.properties.headers).toMatchObject({
      [DeadLetterHeaders.attempts]: 2,
      [DeadLetterHeaders.firstFailedAt]: '2026-01-02T03:04:05.000Z',
      [DeadLetterHeaders.failedAt]: '2026-01-02T03:04:09.000Z',
      [DeadLetterHeaders.originalExchange]: 'inventory.commands',
      [DeadLetterHeaders.originalRoutingKey]: 'inventory.reserve-stock',
      [DeadLetterHeaders.originalExpiration]: '60000',
      [DeadLetterHeaders.errorType]: 'TypeError',
      [DeadLetterHeaders.errorMessage]: 'no code here',
    });
    expect(second.properties.headers).not.toHaveProperty(DeadLetterHeaders.errorCode);
    expect(second.properties.expiration).toBeUndefined();
  });

  it('start again at attempt 1 for a message that did not come back from a tier (a replay), whatever headers it holds', () => {
    const replayed = {
      ...delivery,
      properties: { ...delivery.properties, headers: { ...delivery.properties.headers, [DeadLetterHeaders.attempts]: 6 } },
    } as ConsumeMessage;
    expect(attemptOf(replayed, 'inventory-service')).toBe(1);
    const letter = deadLetterOf(replayed, classifyFailure(new Error('x')), where('2026-01-02T03:04:05.000Z'));
    expect(letter.properties.headers?.[DeadLetterHeaders.attempts]).toBe(1);
  });
});
