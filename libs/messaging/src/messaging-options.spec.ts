import { Topology } from '@orderly/contracts';
import { MessagingDefaults } from './messaging-defaults';
import { resolveMessagingOptions } from './messaging-options';

describe('messaging options', () => {
  it('fills in the defaults, the real topology, and the service from the connection name', () => {
    const options = resolveMessagingOptions({ url: 'amqp://localhost', connectionName: 'order-service' });
    expect(options).toMatchObject({ ...MessagingDefaults, service: 'order-service', topology: Topology, prefetchByQueue: {} });
  });

  it('keeps what the service sets', () => {
    const options = resolveMessagingOptions({
      url: 'amqp://localhost',
      connectionName: 'order-service@host-1',
      service: 'order-service',
      prefetch: 5,
      prefetchByQueue: { 'order-service.saga-replies': 50 },
    });
    expect(options).toMatchObject({ service: 'order-service', prefetch: 5, prefetchByQueue: { 'order-service.saga-replies': 50 } });
  });

  it('refuses a prefetch of 0, which AMQP reads as unlimited', () => {
    expect(() => resolveMessagingOptions({ url: 'amqp://localhost', connectionName: 'x', prefetch: 0 })).toThrow(/prefetch/);
    expect(() =>
      resolveMessagingOptions({ url: 'amqp://localhost', connectionName: 'x', prefetchByQueue: { q: 0 } }),
    ).toThrow(/prefetchByQueue\.q/);
  });

  it('refuses retry settings that cannot work, naming the setting', () => {
    const base = { url: 'amqp://localhost', connectionName: 'x' };
    expect(() => resolveMessagingOptions({ ...base, retryJitter: 1 })).toThrow(/retryJitter/);
    expect(() => resolveMessagingOptions({ ...base, retryJitter: -0.1 })).toThrow(/retryJitter/);
    expect(() => resolveMessagingOptions({ ...base, maxAttemptsByQueue: { q: 0 } })).toThrow(/maxAttemptsByQueue\.q/);
    expect(() => resolveMessagingOptions({ ...base, maxMessageBytes: 0 })).toThrow(/maxMessageBytes/);
    expect(resolveMessagingOptions({ ...base, retryJitter: 0, maxAttemptsByQueue: { q: 1 } })).toMatchObject({
      retryJitter: 0,
      maxAttemptsByQueue: { q: 1 },
    });
  });
});
