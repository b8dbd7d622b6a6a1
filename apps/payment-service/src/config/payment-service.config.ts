import { defineConfig, serviceSettings } from '@orderly/config';
import { z } from 'zod';

/** Every setting of payment-service, validated at boot. */
export const PaymentServiceConfig = defineConfig('payment-service', {
  ...serviceSettings('payment-service', { port: 3003 }),
  // The simulator answers inside the handler's transaction (the inbox's), whose timeout is 10 s:
  // 5 s leaves room for the database work around it.
  PAYMENT_GATEWAY_LATENCY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(5_000)
    .default(0)
    .describe('Simulated gateway response time per call, in ms (0-5000), for demos and load tests'),
  PAYMENT_GATEWAY_FAILURE_RATE: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('Share of gateway calls that fail with a retryable error (0-1), to exercise the retry ladder'),
});
