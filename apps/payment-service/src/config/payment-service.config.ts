import { defineConfig, serviceSettings } from '@orderly/config';

/** Every setting of payment-service, validated at boot. */
export const PaymentServiceConfig = defineConfig('payment-service', {
  ...serviceSettings('payment-service', { port: 3003 }),
});
