import type { ConsumeMessage } from 'amqplib';
import { classifyFailure, truncateUtf8 } from './handling-failure';
import { DeadLetterHeaders, deadLetterOf } from './dead-letter-parker';
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
