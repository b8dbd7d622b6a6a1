import { ConfigurationError } from '@orderly/config';
import { PaymentServiceConfig } from './payment-service.config';

const valid = { DATABASE_URL: 'postgres://u:p@localhost/payment', AMQP_URL: 'amqp://u:p@localhost/orderly' };

describe('payment-service settings', () => {
  it('simulates an instant, reliable gateway by default', () => {
    expect(PaymentServiceConfig.parse(valid)).toMatchObject({ PAYMENT_GATEWAY_LATENCY_MS: 0, PAYMENT_GATEWAY_FAILURE_RATE: 0 });
  });

  it('takes a latency and a failure rate', () => {
    expect(PaymentServiceConfig.parse({ ...valid, PAYMENT_GATEWAY_LATENCY_MS: '250', PAYMENT_GATEWAY_FAILURE_RATE: '0.1' })).toMatchObject({
      PAYMENT_GATEWAY_LATENCY_MS: 250,
      PAYMENT_GATEWAY_FAILURE_RATE: 0.1,
    });
  });

  it('refuses a failure rate outside 0-1 and a latency that is negative or too long, naming each', () => {
    let error: unknown;
    try {
      PaymentServiceConfig.parse({ ...valid, PAYMENT_GATEWAY_LATENCY_MS: '60000', PAYMENT_GATEWAY_FAILURE_RATE: '1.5' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).invalid.map((i) => i.key).sort()).toEqual(['PAYMENT_GATEWAY_FAILURE_RATE', 'PAYMENT_GATEWAY_LATENCY_MS']);
    expect(() => PaymentServiceConfig.parse({ ...valid, PAYMENT_GATEWAY_LATENCY_MS: '-1' })).toThrow(/PAYMENT_GATEWAY_LATENCY_MS/);
    expect(() => PaymentServiceConfig.parse({ ...valid, PAYMENT_GATEWAY_FAILURE_RATE: 'often' })).toThrow(/PAYMENT_GATEWAY_FAILURE_RATE/);
  });
});
