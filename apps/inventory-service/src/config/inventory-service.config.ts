import { defineConfig, serviceSettings } from '@orderly/config';

/** Every setting of inventory-service, validated at boot. */
export const InventoryServiceConfig = defineConfig('inventory-service', {
  ...serviceSettings('inventory-service', { port: 3002 }),
});
