import { defineConfig, serviceSettings } from '@orderly/config';
import { z } from 'zod';

/** Every setting of notification-service, validated at boot. */
export const NotificationServiceConfig = defineConfig('notification-service', {
  ...serviceSettings('notification-service', { port: 3004 }),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' })
    .optional()
    .describe('Mail server to send customer notifications through (smtp://user:pass@host:587); unset: write them to the log'),
  NOTIFICATION_FROM: z
    .string()
    .min(3)
    .default('Orderly <orders@orderly.local>')
    .describe('Sender of notification e-mails (SMTP only)'),
  NOTIFICATION_RECIPIENT_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain name such as example.com')
    .default('customers.orderly.local')
    .describe('Mail domain of customer ids that are not e-mail addresses: customer-1 -> customer-1@<domain> (SMTP only)'),
});
