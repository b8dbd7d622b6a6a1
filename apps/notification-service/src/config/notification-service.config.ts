import { defineConfig, serviceSettings } from '@orderly/config';

/** Every setting of notification-service, validated at boot. */
export const NotificationServiceConfig = defineConfig('notification-service', {
  ...serviceSettings('notification-service', { port: 3004 }),
});
