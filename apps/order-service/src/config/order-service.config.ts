import { defineConfig, serviceSettings } from '@orderly/config';

/** Every setting of order-service, validated at boot. */
export const OrderServiceConfig = defineConfig('order-service', {
  ...serviceSettings('order-service', { port: 3001 }),
});
